using System.ComponentModel;

namespace Umt.Abstractions.Composition;

/// <summary>
/// Metadata view of every plugin export. A concrete class because System.Composition rejects
/// interface metadata views; its properties are filled from the typed export attribute, one per
/// kind beside its contract (Roslyn's ExportLanguageServiceAttribute idiom): the contract type is
/// fixed by the attribute, and Name/Description become metadata through [MetadataAttribute], so a
/// misspelt metadata key is a compile error rather than a silent miss.
/// </summary>
public sealed class PluginMetadata
{
    /// <summary>Lower kebab-case name used in configuration (<c>Umt:Masking:Use = tube</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary>One line for <c>umt plugins</c>.</summary>
    [DefaultValue("")]
    public string Description { get; set; } = "";
}
