using Umt.Plugins.Datasets.Augmentation;
using Umt.Plugins.Datasets.Media;

namespace Umt.Plugins.Datasets.MediaDatasets;

/// <summary>How the reference crops a frame, per stage and mode.</summary>
internal enum CropMode
{
    /// <summary>Stage-1 training: GroupMultiScaleCrop (scales 1, .875, .75, .66, 13 fixed offsets).</summary>
    MultiScale,

    /// <summary>Stage-2 training: RandomResizedCrop (scale 0.5–1, aspect 3/4–4/3).</summary>
    RandomResized,

    /// <summary>Stage-1 evaluation: the centred square of the short side.</summary>
    Center,

    /// <summary>Stage-2 evaluation: the whole frame, squashed to a square.</summary>
    Whole,
}

/// <summary>Whether the files are videos (ffmpeg) or images (SkiaSharp, one-frame clips).</summary>
internal enum MediaKind
{
    Video,
    Image,
}

/// <summary>Which view of the multi-view test a dataset reads: temporal view Clip of Clips, spatial view Crop of Crops (1 of 1: the mode's own sampling).</summary>
internal readonly record struct TestView(int Clip, int Clips, int Crop, int Crops);

/// <summary>How one media dataset turns its files into samples: resolved from its options and the run's student.</summary>
/// <param name="Name">The plugin's name, for messages.</param>
/// <param name="Frames">T of every sample (1 for images).</param>
/// <param name="Size">Side of every frame.</param>
/// <param name="Sampling">How training picks frames (evaluation: the middle of each segment).</param>
/// <param name="SamplingRate">Frames between picks of <see cref="FrameSamplingMode.Dense"/>.</param>
/// <param name="LabelSet">Name of the label set (<c>action</c>), or null for unlabelled data.</param>
/// <param name="Classes">Classes of the label set.</param>
/// <param name="HasCaptions">Samples carry captions.</param>
/// <param name="CleanCaptions">Apply the reference's <c>pre_text</c> to captions.</param>
/// <param name="DecodeWorkers">Videos decode in long-lived worker processes (else one ffmpeg per clip).</param>
/// <param name="MaxImageMegapixels">Largest image decoded (images only): a larger one is unreadable.</param>
internal sealed record MediaDatasetSettings(
    string Name,
    MediaKind Kind,
    int Frames,
    int Size,
    FrameSamplingMode Sampling,
    int SamplingRate,
    CropMode Crop,
    Resampling Resampling,
    bool Flip,
    string? LabelSet,
    int Classes,
    bool HasCaptions,
    bool CleanCaptions,
    TimeSpan DecodeTimeout,
    bool DecodeWorkers,
    int MaxImageMegapixels,
    TestView View);
