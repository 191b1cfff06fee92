using System.Collections.Concurrent;
using System.Collections.Frozen;
using Serilog;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Augmentation;
using Umt.Plugins.Datasets.Manifests;
using Umt.Plugins.Datasets.Media;
using Umt.Plugins.Datasets.Randomness;

namespace Umt.Plugins.Datasets.MediaDatasets;

/// <summary>
/// A dataset of real files behind a manifest: sample i is row i of the manifest (bad rows
/// included, so they are skipped and counted like broken files instead of silently vanishing).
/// Each read draws its frames, crop and flip from the sample's key alone, decodes through ffmpeg
/// (videos) or SkiaSharp (images), and normalises. Every way a file can be unusable ends in an
/// <see cref="UnreadableMediaException"/> with a short reason; thread-safe.
/// </summary>
internal sealed class MediaDataset : IVideoDataset
{
    private readonly MediaDatasetSettings settings;
    private readonly MediaRoot root;
    private readonly string manifestName;
    private readonly (ManifestEntry? Entry, ManifestRejection? Rejection)[] rows;
    private readonly IMediaReader reader;
    private readonly ConcurrentDictionary<long, MediaInfo> probed = new();
    private readonly ConcurrentDictionary<int, IReadOnlyDictionary<string, int>> labels = new();

    public MediaDataset(Manifest manifest, string manifestPath, MediaRoot root, MediaDatasetSettings settings, ILogger log)
    {
        this.settings = settings;
        this.root = root;
        manifestName = Path.GetFileName(manifestPath);
        rows = [.. manifest.Entries.Select(e => ((ManifestEntry?)e, (ManifestRejection?)null, e.Line))
            .Concat(manifest.Rejected.Select(r => ((ManifestEntry?)null, (ManifestRejection?)r, r.Line)))
            .OrderBy(row => row.Item3)
            .Select(row => (row.Item1, row.Item2))];
        reader = settings.Kind == MediaKind.Image ? new SkiaImageReader(settings.MaxImageMegapixels)
            : settings.DecodeWorkers ? new WorkerVideoReader(settings.DecodeTimeout, log)
            : new FfmpegVideoReader(settings.DecodeTimeout);
        Info = Describe(manifest, settings);
    }

    public DatasetInfo Info { get; }

    /// <summary>The dataset's facts from a parsed manifest: one sample per row, bad rows included.</summary>
    public static DatasetInfo Describe(Manifest manifest, MediaDatasetSettings settings)
    {
        var labelSets = settings.LabelSet is { } name ? new Dictionary<string, int> { [name] = settings.Classes } : new Dictionary<string, int>();
        return new DatasetInfo(manifest.Rows, settings.Frames, settings.HasCaptions, labelSets.ToFrozenDictionary(), HasBoxes: false);
    }

    public VideoSample Read(long index, ulong augmentationKey, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, rows.LongLength);
        var (entry, rejection) = rows[index];
        if (entry is null)
        {
            throw new UnreadableMediaException($"{manifestName} line {rejection!.Line}", "bad manifest row", rejection.Reason);
        }
        try
        {
            if (!root.HoldsTarget(entry.Path, out string target))
            {
                throw new UnreadableMediaException(entry.Path, "outside the media root", $"leads to {Echo.Bounded(target)}");
            }
            CheckFile(entry.Path);
            var info = settings.Kind == MediaKind.Video ? probed.GetOrAdd(index, _ => reader.Probe(entry.Path, cancel)) : reader.Probe(entry.Path, cancel);
            if (settings.Kind == MediaKind.Video && info.FrameCount < settings.Frames)
            {
                // The reference repeats frame 0 for such clips (mae.py); a still clip is no sample of motion.
                throw new UnreadableMediaException(entry.Path, "too few frames", $"{info.FrameCount} frames, the run samples {settings.Frames}");
            }

            // One generator per sample, drawn in a fixed order: frames, crop, flip, caption.
            var random = new SplitMix64(augmentationKey);
            var view = settings.View;
            int[] frames = settings.Kind == MediaKind.Image ? new int[settings.Frames]
                : view.Clips > 1 ? FrameSampling.TestView(info.FrameCount, settings.Frames, view.Clip, view.Clips)
                : FrameSampling.Indices(settings.Sampling, info.FrameCount, settings.Frames, ref random, settings.SamplingRate);
            var crop = view.Crops > 1 ? CropGeometry.TestView(info.Width, info.Height, view.Crop, view.Crops) : settings.Crop switch
            {
                CropMode.MultiScale => CropGeometry.MultiScale(info.Width, info.Height, settings.Size, ref random),
                CropMode.RandomResized => CropGeometry.RandomResized(info.Width, info.Height, ref random),
                CropMode.Center => CropGeometry.Center(info.Width, info.Height),
                _ => CropGeometry.Whole(info.Width, info.Height),
            };
            crop = InsideFrame(crop, info.Width, info.Height);
            bool flip = settings.Flip && random.Chance(0.5);
            byte[] rgb = reader.Read(entry.Path, info, frames, crop, settings.Size, settings.Resampling, cancel); // [T, S, S, 3]
            float[] pixels = ClipPixels.FromRgb24(rgb, settings.Frames, settings.Size, settings.Size, flip);  // [3, T, S, S]
            return new VideoSample(pixels, Labels(entry.Label), Caption(entry, ref random), Source: entry.Path, Captions: AllCaptions(entry));
        }
        catch (IOException e) when (e is not UnreadableMediaException)
        {
            throw new UnreadableMediaException(entry.Path, "read failed", e.Message, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnreadableMediaException(entry.Path, "permission denied", e.Message, e);
        }
    }

    /// <summary>The decode workers, where this dataset uses them (tests read their restarts).</summary>
    internal DecodeWorkerPool? Workers => (reader as WorkerVideoReader)?.Pool;

    /// <summary>Ends the decode workers; the CLI's processes end with each read.</summary>
    public void Dispose() => (reader as IDisposable)?.Dispose();

    /// <summary>Cheap checks before any process starts: most broken entries of a real corpus fail here.</summary>
    internal static void CheckFile(string path)
    {
        FileSystemInfo entry = new FileInfo(path);
        if (entry.LinkTarget is { } target)
        {
            // A link reports itself as existing; what counts is what it finally points to.
            entry = entry.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true } final
                ? final
                : throw new UnreadableMediaException(path, "dangling link", $"points to {Echo.Bounded(target)}");
        }
        if (Directory.Exists(entry.FullName))
        {
            throw new UnreadableMediaException(path, "not a file", "a directory");
        }
        if (entry is not FileInfo { Exists: true } file)
        {
            throw new UnreadableMediaException(path, "missing file");
        }
        if (file.Length == 0)
        {
            throw new UnreadableMediaException(path, "empty file");
        }
    }

    /// <summary>
    /// The crop shifted (and if need be shrunk) into the frame. GroupMultiScaleCrop can reach up to
    /// 4 px past the edge when the short side is just below the output size (its size snaps up to
    /// the output); PIL pads that strip black, ffmpeg's crop refuses it. Shifting keeps the scale.
    /// </summary>
    private static CropBox InsideFrame(CropBox crop, int width, int height)
    {
        int w = Math.Min(crop.Width, width), h = Math.Min(crop.Height, height);
        return new CropBox(Math.Clamp(crop.X, 0, width - w), Math.Clamp(crop.Y, 0, height - h), w, h);
    }

    private IReadOnlyDictionary<string, int> Labels(int? label) =>
        settings.LabelSet is { } name && label is { } value
            ? labels.GetOrAdd(value, v => new Dictionary<string, int> { [name] = v }.ToFrozenDictionary())
            : FrozenDictionary<string, int>.Empty;

    /// <summary>One caption per read; a row with several (MSR-VTT style) gives a keyed choice, as the reference's random.choice.</summary>
    private string? Caption(ManifestEntry entry, ref SplitMix64 random)
    {
        if (!settings.HasCaptions || entry.Captions.Count == 0)
        {
            return null;
        }
        string caption = entry.Captions.Count == 1 ? entry.Captions[0] : entry.Captions[random.NextInt(entry.Captions.Count)];
        return Cleaned(caption);
    }

    /// <summary>Every caption of the row, for retrieval's multi-caption and paragraph protocols (the reference's eval datasets read them all).</summary>
    private IReadOnlyList<string>? AllCaptions(ManifestEntry entry) =>
        settings.HasCaptions && entry.Captions.Count > 0 ? [.. entry.Captions.Select(Cleaned)] : null;

    private string Cleaned(string caption) => settings.CleanCaptions ? CaptionText.Clean(caption) : caption;
}
