using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Plugins.Datasets.Ava;
using Umt.Plugins.Datasets.Media;

namespace Umt.Plugins.Datasets.Synthetic;

/// <summary>What <c>umt data synth</c> writes.</summary>
/// <param name="Output">Folder for media, manifests and overlays.</param>
/// <param name="Clips">Videos (.mp4, H.264).</param>
/// <param name="Images">Images (.jpg).</param>
/// <param name="Size">Frame side in pixels (even).</param>
/// <param name="Frames">Frames per video.</param>
/// <param name="Fps">Frame rate written into the videos.</param>
/// <param name="Seed">SyntheticActions content seed.</param>
/// <param name="Workers">Encoders run side by side.</param>
public sealed record SyntheticExportOptions(string Output, int Clips, int Images, int Size = 64, int Frames = 16, int Fps = 8, long Seed = 0, int Workers = 2);

/// <summary>Where the written manifests and overlays are.</summary>
/// <param name="AvaAnnotations">Folder of the AVA-form training and validation CSVs and label map (null without clips).</param>
/// <param name="Qa">The clips' questions in the reference's QA forms (null without clips).</param>
public sealed record SyntheticExportResult(string Output, int Clips, int Images, string? KineticsList, string? WebVidJson, string? Cc3mTsv, string? AvaAnnotations, IReadOnlyList<string> Overlays, SyntheticQaFiles? Qa = null);

/// <summary>
/// Writes SyntheticActions as real files (synthetic-benchmark.md, with issue 4's layout): clips as
/// H.264 .mp4 with a Kinetics-style <c>path,label</c> list (label = motion class) and a
/// WebVid-style JSON caption list, the clips' key-frame boxes in AVA v2.2's form (the main object's
/// box on the key frame, its motion as the action; the first four fifths of the clips in the
/// training CSV, the rest in the validation CSV), images as .jpg with a CC3M-style TSV, plus overlay configs
/// that point each real loader at them. Clip i is the synthetic dataset's clip i, so a test can
/// compare decoded frames with the frames that were encoded. The overlays turn flipping off: a
/// mirrored clip changes SyntheticActions' motion label.
/// </summary>
public static class SyntheticMediaExport
{
    public const string KineticsList = "kinetics_train.csv";
    public const string WebVidJson = "webvid_train.json";
    public const string Cc3mTsv = "cc3m_train.tsv";
    public const string AvaFolder = "ava";
    public const string AvaTrain = "ava_train_v2.2.csv";
    public const string AvaVal = "ava_val_v2.2.csv";
    public const string AvaLabelMapFile = "ava_action_list_v2.2.pbtxt";

    // The default student's 8 frames, read every (Frames / 8)th frame, span the whole exported clip.
    private const int StudentFrames = 8;

    /// <param name="written">Called with the number of files written so far after each one (from the writing threads).</param>
    public static SyntheticExportResult Write(SyntheticExportOptions options, CancellationToken cancel = default, Action<int>? written = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Size % 2 != 0 || options.Size < SyntheticVideoDataset.MinimumImageSize)
        {
            throw new ArgumentException($"--size must be even and at least {SyntheticVideoDataset.MinimumImageSize}, got {options.Size}.");
        }
        if (options.Clips < 0 || options.Images < 0 || options.Clips + options.Images == 0 || options.Frames < 1 || options.Fps < 1)
        {
            throw new ArgumentException("Ask for at least one clip or image, with at least one frame and a frame rate ≥ 1.");
        }
        string output = Path.GetFullPath(options.Output);
        Directory.CreateDirectory(output);
        var overlays = new List<string>();
        string? kinetics = null, webvid = null, cc3m = null, ava = null;
        SyntheticQaFiles? qa = null;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Workers), CancellationToken = cancel };
        int files = 0;
        void Written() => written?.Invoke(Interlocked.Increment(ref files));

        if (options.Clips > 0)
        {
            Directory.CreateDirectory(Path.Combine(output, "videos"));
            using var clips = Render(options, images: false);
            var rows = new (string Path, int Motion, string Caption, KeyFrameActors KeyFrame)[options.Clips];
            // AVA's key frames are whole seconds: the one nearest below the middle frame.
            int timestamp = options.Frames / 2 / options.Fps;
            Parallel.For(0, options.Clips, parallel, i =>
            {
                var sample = clips.Read(i, 0);
                string relative = $"videos/{SyntheticVideoDataset.VideoId(i)}.mp4";
                MediaWriters.WriteMp4(Path.Combine(output, relative), ToRgb24(sample.Pixels, options.Frames, options.Size), options.Frames, options.Size, options.Size, options.Fps, cancel);
                int motion = sample.Labels[SyntheticVocabulary.MotionLabel];
                rows[i] = (relative, motion, sample.Caption!, SyntheticVideoDataset.KeyFrame(i, sample.Boxes!, timestamp * options.Fps, (SyntheticMotion)motion, timestamp));
                Written();
            });
            kinetics = WriteText(output, KineticsList, string.Concat(rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Path},{r.Motion}\n"))));
            webvid = WriteText(output, WebVidJson, new JsonArray([.. rows.Select(r => new JsonObject { ["video"] = r.Path, ["caption"] = r.Caption })]).ToJsonString(Indented));
            overlays.Add(WriteOverlay(output, "kinetics", kinetics, frames: null));
            overlays.Add(WriteOverlay(output, "webvid", webvid, frames: null));
            ava = WriteAva(output, [.. rows.Select(r => r.KeyFrame)]);
            overlays.Add(WriteOverlay(output, "ava", Path.Combine(ava, AvaTrain), frames: null, new JsonObject
            {
                ["Root"] = Path.Combine(output, "videos"),
                ["FrameRate"] = options.Fps,
                ["TimeOffset"] = 0,
                ["SamplingRate"] = Math.Max(1, options.Frames / StudentFrames),
            }));
            qa = SyntheticQaExport.Write(output, [.. rows.Select(r => r.Path)], new SyntheticOptions { Seed = options.Seed });
        }
        if (options.Images > 0)
        {
            Directory.CreateDirectory(Path.Combine(output, "images"));
            using var stills = Render(options, images: true);
            var rows = new (string Path, string Caption)[options.Images];
            Parallel.For(0, options.Images, parallel, i =>
            {
                var sample = stills.Read(i, 0);
                string relative = $"images/image_{i:D6}.jpg";
                MediaWriters.WriteJpeg(Path.Combine(output, relative), ToRgb24(sample.Pixels, 1, options.Size), options.Size, options.Size);
                rows[i] = (relative, sample.Caption!);
                Written();
            });
            cc3m = WriteText(output, Cc3mTsv, string.Concat(rows.Select(r => $"{r.Caption}\t{r.Path}\n")));
            overlays.Add(WriteOverlay(output, "cc3m", cc3m, frames: 1));
        }
        return new SyntheticExportResult(output, options.Clips, options.Images, kinetics, webvid, cc3m, ava, overlays, qa);
    }

    /// <summary>ImageNet-normalised <c>[3, T, S, S]</c> back to RGB24 <c>[T, S, S, 3]</c>.</summary>
    internal static byte[] ToRgb24(float[] pixels, int frames, int size)
    {
        int plane = frames * size * size;
        var rgb = new byte[plane * 3];
        for (int c = 0; c < 3; c++)
        {
            float mean = ImageNetNormalization.Mean[c], std = ImageNetNormalization.Std[c];
            for (int p = 0; p < plane; p++)
            {
                rgb[p * 3 + c] = (byte)Math.Clamp(MathF.Round((pixels[c * plane + p] * std + mean) * 255f), 0f, 255f);
            }
        }
        return rgb;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static SyntheticVideoDataset Render(SyntheticExportOptions options, bool images) =>
        new(new SyntheticOptions { Clips = images ? options.Images : options.Clips, Seed = options.Seed, Images = images },
            new StudentSpec(Width: 1, Depth: 1, Heads: 1, Frames: options.Frames, ImageSize: options.Size, PatchSize: 1, Tubelet: 1));

    private static string WriteText(string folder, string name, string text)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    /// <summary>The AVA-form annotations of the clips' key frames (person id 0: one actor per clip) and the motions' label map; returns their folder.</summary>
    private static string WriteAva(string output, IReadOnlyList<KeyFrameActors> keyFrames)
    {
        string folder = Path.Combine(output, AvaFolder);
        Directory.CreateDirectory(folder);
        int train = keyFrames.Count - keyFrames.Count / 5;
        IEnumerable<AvaBox> Rows(IEnumerable<KeyFrameActors> frames) =>
            from frame in frames
            from actor in frame.GroundTruth
            from action in actor.ActionIds
            select new AvaBox(new AvaKeyFrame(frame.VideoId, frame.Timestamp), actor.X1, actor.Y1, actor.X2, actor.Y2, action, PersonId: 0, Score: 1.0, Line: 0);
        AvaCsv.Write(Path.Combine(folder, AvaTrain), Rows(keyFrames.Take(train)));
        AvaCsv.Write(Path.Combine(folder, AvaVal), Rows(keyFrames.Skip(train)));
        AvaLabelMap.Write(Path.Combine(folder, AvaLabelMapFile), SyntheticVocabulary.MotionActions());
        return folder;
    }

    /// <summary>An overlay config (<c>--config DIR/kinetics.json</c>) selecting the dataset on these files.</summary>
    /// <param name="options">The dataset's options beyond the manifest (default: the folder as the media root, no flip).</param>
    private static string WriteOverlay(string folder, string dataset, string manifest, int? frames, JsonObject? options = null)
    {
        options ??= new JsonObject { ["Root"] = folder, ["Flip"] = false };
        options["Manifest"] = manifest;
        var umt = new JsonObject
        {
            ["Dataset"] = new JsonObject
            {
                ["Use"] = dataset,
                ["Options"] = new JsonObject { [dataset] = options },
            },
        };
        if (frames is { } t)
        {
            umt["Model"] = new JsonObject { ["Frames"] = t, ["Tubelet"] = 1 };
        }
        return WriteText(folder, $"{dataset}.json", new JsonObject { ["Umt"] = umt }.ToJsonString(Indented));
    }
}
