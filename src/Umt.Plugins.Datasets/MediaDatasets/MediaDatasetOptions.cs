using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.Datasets.MediaDatasets;

/// <summary>
/// What every dataset of real files shares (<c>kinetics</c>, <c>ssv2</c>, <c>webvid</c>,
/// <c>cc3m</c>): a manifest, the media root every manifest path is resolved under, and how
/// samples are drawn. Frame count and size are not options: they come from the run's student
/// (<c>Umt:Model:Frames</c>, <c>Umt:Model:ImageSize</c>), so the data always matches the model.
/// </summary>
public abstract class MediaDatasetOptions
{
    /// <summary>The manifest file (format per dataset); relative to the config root.</summary>
    [Required]
    public string Manifest { get; set; } = "";

    /// <summary>Media root: every manifest path is resolved under it, and a path that escapes it is rejected.</summary>
    [Required]
    public string Root { get; set; } = "";

    /// <summary>
    /// <c>train</c>: the reference's training sampling and augmentation (random frame per segment,
    /// random crop, flip); <c>eval</c>: the middle frame of each segment, a fixed crop, no flip.
    /// </summary>
    [Required]
    [RegularExpression("^(train|eval)$", ErrorMessage = "Mode must be 'train' or 'eval'.")]
    public string Mode { get; set; } = "train";

    /// <summary>Horizontal flip with probability 0.5 in <c>train</c> mode (turn off where left/right is the label, as the reference does for SSv2).</summary>
    public bool Flip { get; set; } = true;

    /// <summary>Wall-clock limit for decoding one clip; a clip past it is skipped as unreadable.</summary>
    [Range(1, 3600)]
    public int DecodeTimeoutSeconds { get; set; } = 60;
}
