using System.ComponentModel;

namespace Umt.Abstractions.Composition;

/// <summary>
/// Metadata view of every plugin export. A concrete class because System.Composition rejects
/// interface metadata views; its properties are filled from the typed export attribute.
/// </summary>
public sealed class PluginMetadata
{
    /// <summary>Lower kebab-case name used in configuration (<c>Umt:Masking:Use = tube</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary>One line for <c>umt plugins</c>.</summary>
    [DefaultValue("")]
    public string Description { get; set; } = "";
}
