using System.ComponentModel.DataAnnotations;
using Umt.Plugins.Datasets.MediaDatasets;

namespace Umt.Plugins.Datasets.Ssv2;

/// <summary>
/// Options of the <c>ssv2</c> dataset (<c>Umt:Dataset:Options:ssv2</c>): Something-Something v2
/// .webm clips, labelled by template. Flip is off by default: "pushing something from left to
/// right" mirrored is another class, so the reference trains SSv2 without flipping.
/// </summary>
public sealed class Ssv2Options : MediaDatasetOptions
{
    public Ssv2Options()
    {
        Flip = false;
    }

    /// <summary><c>json</c>: the official split file (<c>something-something-v2-train.json</c>); <c>list</c>: the reference's <c>path label</c> lists; <c>auto</c>: by extension.</summary>
    [Required]
    [RegularExpression("^(auto|json|list)$", ErrorMessage = "Format must be auto, json or list.")]
    public string Format { get; set; } = "auto";

    /// <summary><c>something-something-v2-labels.json</c> (template → class index); required with the official split files.</summary>
    public string? Labels { get; set; }

    /// <summary>File name of a split entry, from its <c>{id}</c>.</summary>
    [Required]
    public string FilePattern { get; set; } = "{id}.webm";
}
