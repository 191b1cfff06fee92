using System.Collections.Concurrent;
using System.Collections.Frozen;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Augmentation;
using Umt.Plugins.Datasets.Manifests;
using Umt.Plugins.Datasets.Media;
using Umt.Plugins.Datasets.MediaDatasets;

namespace Umt.Plugins.Datasets.Ava;

/// <summary>
/// AVA key frames as an <see cref="IVideoDataset"/>: sample i is key frame i, the whole frame of
/// the clip around it resized to the student's square (boxes are normalised, so they hold), with
/// its actors. No augmentation: the boxes would have to follow every crop and flip. Thread-safe.
/// </summary>
internal sealed class AvaVideoDataset(IReadOnlyList<KeyFrameActors> keyFrames, MediaRoot root, IMediaReader reader, KeyFrameClip clip, int size, DatasetInfo info) : IVideoDataset
{
    /// <summary>The containers AVA's videos come in, tried in this order for <c>&lt;video_id&gt;.&lt;ext&gt;</c>.</summary>
    private static readonly string[] Extensions = [".mp4", ".mkv", ".webm"];

    private readonly ConcurrentDictionary<string, MediaInfo> probed = new(StringComparer.Ordinal);

    public DatasetInfo Info { get; } = info;

    public VideoSample Read(long index, ulong augmentationKey, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, keyFrames.Count);
        var keyFrame = keyFrames[(int)index];
        string path = VideoPath(keyFrame.VideoId);
        try
        {
            MediaDataset.CheckFile(path);
            var media = probed.GetOrAdd(path, p => reader.Probe(p, cancel));
            if (clip.KeyFrame(keyFrame.Timestamp) is int key && (key < 0 || key >= media.FrameCount))
            {
                throw new UnreadableMediaException(path, "key frame outside the video",
                    $"second {keyFrame.Timestamp} is frame {key} at {clip.FrameRate} fps from second {clip.TimeOffset}; the file has {media.FrameCount} frames");
            }
            int[] frames = clip.Indices(keyFrame.Timestamp, media.FrameCount);
            byte[] rgb = reader.Read(path, media, frames, CropGeometry.Whole(media.Width, media.Height), size, Resampling.Bilinear, cancel); // [T, S, S, 3]
            float[] pixels = ClipPixels.FromRgb24(rgb, clip.Frames, size, size, flip: false);                                             // [3, T, S, S]
            return new VideoSample(pixels, FrozenDictionary<string, int>.Empty, Source: path, Actors: keyFrame);
        }
        catch (IOException e) when (e is not UnreadableMediaException)
        {
            throw new UnreadableMediaException(path, "read failed", e.Message, e);
        }
    }

    public void Dispose() => (reader as IDisposable)?.Dispose();

    /// <summary>The video's file under the root: the first of its containers that exists (else the .mp4 name, which the read then reports missing).</summary>
    private string VideoPath(string videoId)
    {
        var candidates = Extensions.Select(ext => root.TryResolve(videoId + ext, out string full, out _) ? full : null).Where(p => p is not null).ToList();
        return candidates.FirstOrDefault(File.Exists) ?? candidates.FirstOrDefault() ?? throw new UnreadableMediaException(videoId, "outside the media root");
    }
}
