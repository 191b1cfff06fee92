namespace Umt.Plugins.Datasets.Augmentation;

/// <summary>
/// Everything random about one sample's augmentation, drawn up front from its key (frames, crop,
/// flip), so decoding and resampling can run afterwards without touching the random stream. The
/// caller composes it from <see cref="FrameSampling"/> and <see cref="CropGeometry"/>; the draw
/// order is the caller's to fix. Record equality compares <see cref="FrameIndices"/> by reference.
/// </summary>
/// <param name="FrameIndices">0-based frames to decode, in clip order.</param>
/// <param name="Crop">The source rectangle every frame is cropped to.</param>
/// <param name="Flip">Whether every frame is mirrored horizontally.</param>
internal sealed record AugmentationPlan(int[] FrameIndices, CropBox Crop, bool Flip);
