using Umt.Plugins.Datasets.Augmentation;

namespace Umt.Plugins.Datasets.Media;

/// <summary>Filter used to resize a crop to the model's input (the reference's choice per stage).</summary>
internal enum Resampling
{
    /// <summary>Stage 1: GroupMultiScaleCrop resizes with bilinear.</summary>
    Bilinear,

    /// <summary>Stage 2: RandomResizedCrop and the test transform use bicubic.</summary>
    Bicubic,
}

/// <summary>
/// Decodes one kind of media file. Both calls throw <see cref="Umt.Abstractions.Datasets.UnreadableMediaException"/>
/// for a file that cannot be used, so a broken file never escapes as another exception type.
/// </summary>
internal interface IMediaReader
{
    /// <summary>Frame size and count, without decoding frames.</summary>
    MediaInfo Probe(string path, CancellationToken cancel);

    /// <summary>
    /// The frames at <paramref name="frames"/> (in that order, repeats allowed), each cropped to
    /// <paramref name="crop"/> and resized to <paramref name="size"/>², as packed RGB24
    /// <c>[T, size, size, 3]</c>.
    /// </summary>
    byte[] Read(string path, MediaInfo info, IReadOnlyList<int> frames, CropBox crop, int size, Resampling resampling, CancellationToken cancel);
}
