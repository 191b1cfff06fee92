using System.Composition;

namespace Umt.Abstractions.Objectives;

/// <summary>Exports a objective factory under its configuration name (metadata: <see cref="Umt.Abstractions.Composition.PluginMetadata"/>).</summary>
[MetadataAttribute, AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExportObjectiveAttribute(string name) : ExportAttribute(typeof(IObjectiveFactory))
{
    public string Name { get; } = name;

    /// <summary>One line for <c>umt plugins</c>.</summary>
    public string Description { get; init; } = "";
}
