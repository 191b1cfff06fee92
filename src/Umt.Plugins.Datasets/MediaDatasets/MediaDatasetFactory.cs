using System.ComponentModel.DataAnnotations;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Augmentation;
using Umt.Plugins.Datasets.Manifests;
using Umt.Plugins.Datasets.Media;

namespace Umt.Plugins.Datasets.MediaDatasets;

/// <summary>A parsed manifest and the size of its label set (0: unlabelled).</summary>
internal sealed record LoadedManifest(Manifest Manifest, int Classes);

/// <summary>
/// What the four real-data plugins share: options validated, paths resolved against the config
/// root, the manifest parsed under the media root, and the reference's per-stage sampling and
/// augmentation chosen (stage 1, <c>kinetics</c>/<c>ssv2</c>: segment sampling, multi-scale crop,
/// bilinear; stage 2, <c>webvid</c>/<c>cc3m</c>: random frame per interval, random resized crop,
/// bicubic). Each plugin says only how its manifest is read.
/// </summary>
internal abstract class MediaDatasetFactory<TOptions> : VideoDatasetFactory<TOptions>
    where TOptions : MediaDatasetOptions, new()
{
    /// <summary>Videos (ffmpeg) or images (SkiaSharp).</summary>
    protected abstract MediaKind Kind { get; }

    /// <summary>Stage 1 (multi-scale crop) or stage 2 (random resized crop) augmentation.</summary>
    protected abstract bool StageOne { get; }

    protected abstract bool HasCaptions { get; }

    /// <summary>Name of the label set samples carry (when the manifest has labels).</summary>
    protected virtual string LabelSet => "action";

    /// <summary>Apply the reference's caption cleaning (<c>pre_text</c>).</summary>
    protected virtual bool CleanCaptions(TOptions options) => false;

    /// <summary>Largest image decoded, in megapixels (width × height / 10⁶); 0 for datasets of videos, which decode no image.</summary>
    protected virtual int MaxImageMegapixels(TOptions options) => 0;

    /// <summary>Parses the manifest; rows that cannot be used become rejections, a wrong file throws <see cref="InvalidDataException"/>.</summary>
    protected abstract LoadedManifest Load(TOptions options, string manifestPath, MediaRoot root, PluginContext context);

    protected override DatasetInfo Describe(TOptions options, PluginContext context)
    {
        var (loaded, _, _, settings) = Prepare(options, context);
        return MediaDataset.Describe(loaded.Manifest, settings);
    }

    protected override IVideoDataset Create(TOptions options, PluginContext context)
    {
        var (loaded, manifestPath, root, settings) = Prepare(options, context);
        var manifest = loaded.Manifest;
        context.Log.Information("{Dataset}: {Rows} samples from {Manifest} under {Root} ({Mode} mode, {Frames}×{Size}², {Sampling} sampling, {Crop} crop, flip {Flip})",
            settings.Name, manifest.Rows, manifestPath, context.ResolvePath(options.Root), options.Mode, settings.Frames, settings.Size, settings.Sampling, settings.Crop, settings.Flip);
        if (manifest.Rejected.Count > 0)
        {
            var first = manifest.Rejected[0];
            context.Log.Warning("{Dataset}: {Count} manifest rows cannot be used; each is skipped and counted when its turn comes (first: line {Line}: {Reason})",
                settings.Name, manifest.Rejected.Count, first.Line, first.Reason);
        }
        return new MediaDataset(manifest, manifestPath, root, settings, context.Log);
    }

    private (LoadedManifest Loaded, string ManifestPath, MediaRoot Root, MediaDatasetSettings Settings) Prepare(TOptions options, PluginContext context)
    {
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        if (Kind == MediaKind.Video)
        {
            FfmpegTools.Require();
        }
        var root = new MediaRoot(context.ResolvePath(options.Root));
        if (!Directory.Exists(root.FullPath))
        {
            throw new DirectoryNotFoundException($"Root: the media root '{Echo.Bounded(root.FullPath)}' does not exist.");
        }
        string manifestPath = context.ResolvePath(options.Manifest);
        if (!File.Exists(manifestPath))
        {
            throw new FileNotFoundException($"Manifest: '{Echo.Bounded(manifestPath)}' does not exist.", manifestPath);
        }
        var loaded = Load(options, manifestPath, root, context);
        if (loaded.Manifest.Entries.Count == 0)
        {
            // Every sample would be skipped: training would find no batch, verify nothing to fail.
            var rejected = loaded.Manifest.Rejected;
            throw new InvalidDataException($"Manifest: '{Echo.Bounded(manifestPath)}' has no usable rows"
                + (rejected.Count == 0 ? "." : $": all {rejected.Count} were rejected (first: line {rejected[0].Line}: {rejected[0].Reason})."));
        }
        bool train = options.Mode == "train";
        var settings = new MediaDatasetSettings(
            Name: Name,
            Kind: Kind,
            Frames: Kind == MediaKind.Image ? 1 : context.Student.Frames,
            Size: context.Student.ImageSize,
            Sampling: !train ? FrameSamplingMode.Middle
                : options.Sampling == "dense" ? FrameSamplingMode.Dense
                : StageOne ? FrameSamplingMode.Tsn : FrameSamplingMode.Rand,
            SamplingRate: options.SamplingRate,
            Crop: StageOne ? (train ? CropMode.MultiScale : CropMode.Center) : (train ? CropMode.RandomResized : CropMode.Whole),
            Resampling: StageOne ? Resampling.Bilinear : Resampling.Bicubic,
            Flip: train && options.Flip,
            LabelSet: loaded.Classes > 0 ? LabelSet : null,
            Classes: loaded.Classes,
            HasCaptions: HasCaptions,
            CleanCaptions: CleanCaptions(options),
            DecodeTimeout: TimeSpan.FromSeconds(options.DecodeTimeoutSeconds),
            DecodeWorkers: options.Decoder == "workers",
            MaxImageMegapixels: MaxImageMegapixels(options),
            View: new TestView(options.TestClip, options.TestClips, options.TestCrop, options.TestCrops));
        return (loaded, manifestPath, root, settings);
    }

    /// <summary>
    /// Whether a manifest is read as JSON: <paramref name="format"/> says so, or it is <c>auto</c>
    /// and the file ends in <c>.json</c> (every other format of these datasets is line-based text).
    /// </summary>
    protected static bool IsJson(string format, string manifestPath) =>
        format == "json" || (format == "auto" && manifestPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase));

    /// <summary>The plugin's registered name, from its export attribute.</summary>
    private string Name => GetType().GetCustomAttributes(inherit: false).OfType<ExportVideoDatasetAttribute>().Single().Name;
}
