using System.Composition;

namespace Umt.Abstractions.TextEncoders;

/// <summary>Exports a text encoder factory under its configuration name (metadata: <see cref="Umt.Abstractions.Composition.PluginMetadata"/>).</summary>
[MetadataAttribute, AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExportTextEncoderAttribute(string name) : ExportAttribute(typeof(ITextEncoderFactory))
{
    public string Name { get; } = name;

    /// <summary>One line for <c>umt plugins</c>.</summary>
    public string Description { get; init; } = "";
}
