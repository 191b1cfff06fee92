using System.Composition;

namespace Umt.Abstractions.Datasets;

/// <summary>Exports a dataset factory under its configuration name (metadata: <see cref="Umt.Abstractions.Composition.PluginMetadata"/>).</summary>
[MetadataAttribute, AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExportVideoDatasetAttribute(string name) : ExportAttribute(typeof(IVideoDatasetFactory))
{
    public string Name { get; } = name;

    /// <summary>One line for <c>umt plugins</c>.</summary>
    public string Description { get; init; } = "";
}
