namespace Umt.Abstractions.Datasets;

/// <summary>One decoded, augmented, normalised clip.</summary>
/// <param name="Pixels">ImageNet-normalised values, layout <c>[3, T, H, W]</c> (channels first, then frames).</param>
/// <param name="Labels">Label set name → class index.</param>
/// <param name="Caption">Caption, when the dataset has captions.</param>
/// <param name="Boxes">Main object's box per frame, <c>[T, 4]</c> as (x0, y0, x1, y1) in [0, 1] of the frame, or null.</param>
/// <param name="Source">Where the sample came from (a media file's path), for indexes of extracted features; null for generated data.</param>
/// <param name="Captions">
/// Every caption of the sample, in the manifest's order and cleaned as <paramref name="Caption"/> is, when the
/// dataset gives several per video (retrieval test sets: the reference's <c>"caption": [..]</c>);
/// <paramref name="Caption"/> is one of them. Null: <paramref name="Caption"/> is the only one.
/// </param>
/// <param name="Actors">Action detection: the actors on the clip's key frame (its middle frame, index T/2), or null where the dataset has none.</param>
public sealed record VideoSample(float[] Pixels, IReadOnlyDictionary<string, int> Labels, string? Caption = null, float[]? Boxes = null, string? Source = null,
    IReadOnlyList<string>? Captions = null, KeyFrameActors? Actors = null);
