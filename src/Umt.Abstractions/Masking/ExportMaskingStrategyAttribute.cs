using System.Composition;

namespace Umt.Abstractions.Masking;

/// <summary>Exports a masking strategy factory under its configuration name (metadata: <see cref="Umt.Abstractions.Composition.PluginMetadata"/>).</summary>
[MetadataAttribute, AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExportMaskingStrategyAttribute(string name) : ExportAttribute(typeof(IMaskingStrategyFactory))
{
    public string Name { get; } = name;

    /// <summary>One line for <c>umt plugins</c>.</summary>
    public string Description { get; init; } = "";
}
