using System.Collections.Frozen;
using System.ComponentModel.DataAnnotations;
using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Manifests;
using Umt.Plugins.Datasets.Media;

namespace Umt.Plugins.Datasets.Ava;

/// <summary>MEF export of the <c>ava</c> dataset: AVA v2.2 key frames with their actor boxes, for action detection.</summary>
[ExportVideoDataset("ava", Description = "AVA v2.2 action detection (ffmpeg): one sample per key frame of an annotation CSV, a clip centred on it with its actors' boxes and actions; detected boxes from a detections CSV in eval mode; excluded timestamps skipped."), Shared]
internal sealed class AvaDatasetFactory : VideoDatasetFactory<AvaOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public AvaDatasetFactory()
    {
    }

    protected override DatasetInfo Describe(AvaOptions options, PluginContext context) =>
        Info(Load(options, context).Count, context.Student.Frames);

    protected override IVideoDataset Create(AvaOptions options, PluginContext context)
    {
        var keyFrames = Load(options, context);
        var root = new MediaRoot(context.ResolvePath(options.Root));
        var timeout = TimeSpan.FromSeconds(options.DecodeTimeoutSeconds);
        IMediaReader reader = options.Decoder == "workers" ? new WorkerVideoReader(timeout, context.Log) : new FfmpegVideoReader(timeout);
        var clip = new KeyFrameClip(context.Student.Frames, options.SamplingRate, options.FrameRate, options.TimeOffset);
        context.Log.Information("ava: {KeyFrames} key frames from {Manifest} under {Root} ({Mode} mode, {Frames}×{Size}², every {Rate} frames around the key frame at {Fps} fps, {Boxes})",
            keyFrames.Count, context.ResolvePath(options.Manifest), root.FullPath, options.Mode, context.Student.Frames, context.Student.ImageSize, options.SamplingRate, options.FrameRate,
            keyFrames.Any(k => k.Detections is not null) ? "detected boxes" : "annotated boxes");
        return new AvaVideoDataset(keyFrames, root, reader, clip, context.Student.ImageSize, Info(keyFrames.Count, context.Student.Frames));
    }

    private static DatasetInfo Info(int keyFrames, int frames) =>
        new(keyFrames, frames, HasCaptions: false, FrozenDictionary<string, int>.Empty, HasBoxes: false);

    /// <summary>
    /// The split's key frames in the annotation CSV's order of first appearance, excluded ones left
    /// out; each actor is one box with every action annotated on it (AVA writes a row per action).
    /// </summary>
    private static List<KeyFrameActors> Load(AvaOptions options, PluginContext context)
    {
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        FfmpegTools.Require();
        string root = context.ResolvePath(options.Root);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Root: the video folder '{Echo.Bounded(root)}' does not exist.");
        }
        var annotations = AvaCsv.ReadAnnotations(Existing(context, options.Manifest, "Manifest"));
        var excluded = options.Exclusions is { } exclusions ? AvaCsv.ReadExclusions(Existing(context, exclusions, "Exclusions")) : new HashSet<AvaKeyFrame>();
        var detected = options.Mode == "eval" && options.Detections is { } detections
            ? AvaKeyFrames.Group(AvaCsv.ReadPersonDetections(Existing(context, detections, "Detections")).Where(b => b.Score >= options.DetectionThreshold))
            : null;
        var keyFrames = AvaKeyFrames.Group(annotations)
            .Where(frame => !excluded.Contains(frame.Key))
            .Select(frame => new KeyFrameActors(frame.Key.VideoId, frame.Key.Timestamp, Actors(frame, merge: true),
                detected is null ? null : Actors(detected[frame.Key], merge: false)))
            .ToList();
        return keyFrames.Count > 0
            ? keyFrames
            : throw new InvalidDataException($"Manifest: '{Echo.Bounded(context.ResolvePath(options.Manifest))}' has no key frame left to read ({excluded.Count} excluded).");
    }

    /// <summary>One actor per distinct box (annotations: with its actions merged; detections: the best score of a box listed more than once).</summary>
    private static List<ActorBox> Actors(IEnumerable<AvaBox> rows, bool merge) =>
        [.. rows.GroupBy(b => (b.X1, b.Y1, b.X2, b.Y2, b.PersonId))
            .Select(box => new ActorBox((float)box.Key.X1, (float)box.Key.Y1, (float)box.Key.X2, (float)box.Key.Y2, (float)box.Max(b => b.Score),
                merge ? [.. box.Select(b => b.ActionId).Distinct()] : []))];

    private static string Existing(PluginContext context, string path, string option)
    {
        string full = context.ResolvePath(path);
        return File.Exists(full) ? full : throw new FileNotFoundException($"{option}: '{Echo.Bounded(full)}' does not exist.", full);
    }
}
