using System.Composition;

namespace Umt.Abstractions.Teachers;

/// <summary>Exports a teacher factory under its configuration name (metadata: <see cref="Umt.Abstractions.Composition.PluginMetadata"/>).</summary>
[MetadataAttribute, AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExportTeacherAttribute(string name) : ExportAttribute(typeof(ITeacherFactory))
{
    public string Name { get; } = name;

    /// <summary>One line for <c>umt plugins</c>.</summary>
    public string Description { get; init; } = "";
}
