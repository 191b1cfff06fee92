using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Randomness;
using Umt.Abstractions.Teachers;
using Umt.Models.Weights;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Workflows.Mechanism;
using Umt.Runner.Workflows.Visualization;
using static TorchSharp.torch;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt mask [--input FILE | --video FILE | --index I] --draws N --out DIR</c>: what the
/// configured masking strategy does to one clip. Writes <c>frames.png</c> (the frames with the
/// kept tokens of the first draw outlined and the hidden ones dimmed, and, when the run has a
/// teacher, its CLS attention over each frame in the row below), <c>visible-frequency.png</c> (how
/// often each token stayed visible over N draws) and <c>masks.safetensors</c> (<c>masks</c>
/// <c>[N, tokens]</c>, 1 = hidden; <c>visible_frequency</c> <c>[tokens]</c>; <c>attention</c> <c>[T, P]</c>).
/// </summary>
public static class MaskCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var input = new Option<string?>("--input") { Description = $"safetensors file holding '{TeacherFeaturesCommand.VideoKey}' [1, 3, T, H, W], ImageNet-normalised (default: a clip of the configured dataset)." };
        var video = new Option<string?>("--video") { Description = "A video file (any container ffmpeg reads), sampled as evaluation reads a clip: the middle frame of each of Umt:Model:Frames segments, centre crop." };
        var index = new Option<long>("--index") { Description = "Clip of the configured dataset, when neither --input nor --video is given.", DefaultValueFactory = _ => 0 }.AtLeast(0L);
        var draws = new Option<int>("--draws") { Description = "Masks drawn (each with the keys of another step).", DefaultValueFactory = _ => 1000 }.AtLeast(1);
        var outDir = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: the masking, its visible tokens, the files written and the enrichment (README: JSON output)." };
        var enrichment = new Option<int>("--enrichment") { Description = "Also measure the mechanism check on this many clips with small objects: visible tokens' share inside the object's box over the box's share (1 = no preference).", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var mask = new Command("mask", "Draw the configured masking strategy's masks on one clip: PNG figures and the masks as safetensors.") { input, video, index, draws, outDir, enrichment, json };
        mask.Validators.Add(result =>
        {
            if (result.GetValue(input) is not null && result.GetValue(video) is not null)
            {
                result.AddError("--input and --video each name the clip: give one of them.");
            }
            if (result.GetValue(video) is not null && result.GetValue(enrichment) > 0)
            {
                // The check needs clips with object boxes (the synthetic dataset); --video replaces the dataset with one clip that has none.
                result.AddError("--enrichment measures the configured dataset's clips with object boxes: it cannot be combined with --video.");
            }
        });
        mask.SetAction(parse => UmtCommandLine.GuardedWith(parse, error, build =>
        {
            using var single = parse.GetValue(video) is { } file ? SingleVideo.Write(file) : null;
            var services = build(a => single is null ? a : a with { Sets = [.. a.Sets, .. single.Overrides.Sets] });
            var plan = services.GetRequiredService<RunPlan>();
            var log = services.GetRequiredService<ILogger>();
            string folder = Path.GetFullPath(parse.GetValue(outDir)!);
            Directory.CreateDirectory(folder);
            using var teacher = plan.Teacher is { } t ? ((ITeacherFactory)t.Entry.Factory).Create(t.Options, plan.PluginContext(log)) : null;
            var masking = ((IMaskingStrategyFactory)plan.Masking.Entry.Factory).Create(plan.Masking.Options, plan.PluginContext(log));
            var human = CliJson.Human(parse.GetValue(json), output, error);
            var clip = single is not null ? new ClipSource(null, 0, single.Video)
                : parse.GetValue(input) is { } path ? new ClipSource(path, 0, path)
                : new ClipSource(null, parse.GetValue(index), $"{plan.Dataset.Entry.Name}[{parse.GetValue(index)}]");
            var drawn = Draw(plan, log, teacher, masking, clip, parse.GetValue(draws), folder);
            human.WriteLine($"{drawn.Masking}: {drawn.Visible} of {drawn.Tokens} tokens visible per draw; {drawn.Draws} draws; figures and masks.safetensors in {folder}");
            EnrichmentResult? enriched = null;
            if (parse.GetValue(enrichment) is > 0 and var clips)
            {
                using var dataset = plan.CreateDataset(log);
                enriched = VisibleTokenEnrichment.Measure(dataset, plan.Student.Grid, plan.Student.Frames, plan.Student.ImageSize, masking,
                    plan.MaskingTraits.NeedsTeacherAttention ? teacher : null, plan.TeacherTraits?.Depth ?? 0, plan.Run.Seed, clips, plan.Device);
                human.WriteLine($"{plan.Masking.Entry.Name}: visible-token enrichment in the object's box {enriched.Mean:F3} (mean over {enriched.Clips} clips with small objects; 1 = no preference)");
            }
            if (parse.GetValue(json))
            {
                CliJson.Write(output, new
                {
                    drawn.Masking, drawn.Visible, drawn.Tokens, drawn.Draws, drawn.Folder,
                    Files = Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList(),
                    Enrichment = enriched?.Mean, EnrichmentClips = enriched?.Clips,
                });
            }
            return ExitCodes.Success;
        }));
        return mask;
    }

    /// <summary>What one <c>umt mask</c> drew: per draw, <paramref name="Visible"/> of <paramref name="Tokens"/> tokens stay visible.</summary>
    private sealed record MaskDrawing(string Masking, long Visible, int Tokens, int Draws, string Folder);

    /// <summary>Where the clip comes from: a safetensors file, or clip <paramref name="Index"/> of the run's dataset; <paramref name="Name"/> titles the figures.</summary>
    private sealed record ClipSource(string? Input, long Index, string Name);

    private static MaskDrawing Draw(RunPlan plan, ILogger log, ITeacher? teacher, IMaskingStrategy masking, ClipSource source, int count, string folder)
    {
        using var scope = NewDisposeScope();
        var grid = plan.Student.Grid;
        long index = source.Index;
        var (pixels, video) = ReadClip(plan, log, source.Input, index);                             // [3·T·H·W], [1, 3, T, H, W]
        int frames = (int)video.shape[2], side = (int)video.shape[3];
        var clip = new ClipFrames(pixels, frames, side, grid, source.Name);

        // 1. the teacher's attention, once: it does not depend on the draw
        var attention = teacher?.Encode(video, [plan.TeacherTraits!.Depth - 1], withAttention: true).Attention; // [T, P]

        // 2. N masks, draw d keyed as step d of this clip
        var masks = new List<Tensor>(count);
        for (int d = 0; d < count; d++)
        {
            var keys = new SampleKeys(plan.Run.Seed, d, [index]);
            masks.Add(masking.CreateMask(new MaskingInput(grid, keys, plan.Device, attention)).cpu()); // [1, N]
        }
        var stacked = cat(masks, 0);                                                                // [draws, N] bool
        var frequency = stacked.logical_not().to(ScalarType.Float32).mean([0]);                     // [N]

        // 3. figures and tensors
        bool[] first = stacked[0].data<bool>().ToArray();
        string strategy = plan.Masking.Entry.Name;
        MaskFigures.Masks(clip, strategy, first, attention?.cpu().flatten().data<float>().ToArray()).Save(Path.Combine(folder, "frames.png"));
        MaskFigures.VisibleFrequency(clip, strategy, frequency.data<float>().ToArray(), count).Save(Path.Combine(folder, "visible-frequency.png"));
        var tensors = new Dictionary<string, Tensor> { ["masks"] = stacked.to(ScalarType.Byte), ["visible_frequency"] = frequency };
        if (attention is not null)
        {
            tensors["attention"] = attention.cpu();
        }
        SafetensorsFile.WriteAtomic(Path.Combine(folder, "masks.safetensors"), tensors, new Dictionary<string, string>
        {
            ["umt.masking"] = plan.Masking.Entry.Name,
            ["umt.grid"] = grid.ToString(),
            ["umt.clip"] = source.Name,
        });
        long visible = first.Count(h => !h);
        return new MaskDrawing(plan.Masking.Entry.Name, visible, grid.Count, count, folder);
    }

    private static (float[] Pixels, Tensor Video) ReadClip(RunPlan plan, ILogger log, string? inputPath, long index)
    {
        if (inputPath is not null)
        {
            var tensors = SafetensorsFile.Read(Path.GetFullPath(inputPath));
            if (!tensors.TryGetValue(TeacherFeaturesCommand.VideoKey, out var video) || video.dim() != 5 || video.shape[0] != 1 || video.shape[1] != 3)
            {
                throw new InvalidDataException($"'{inputPath}' must hold '{TeacherFeaturesCommand.VideoKey}' [1, 3, T, H, W].");
            }
            var clip = video.to(ScalarType.Float32);
            return (clip.flatten().data<float>().ToArray(), clip.to(plan.Device));
        }
        using var dataset = plan.CreateDataset(log);
        if (index < 0 || index >= dataset.Info.Count)
        {
            throw new ArgumentException($"--index {index} is outside the dataset's {dataset.Info.Count} clips.");
        }
        var sample = dataset.Read(index, augmentationKey: 0);
        var shape = new long[] { 1, 3, plan.Student.Frames, plan.Student.ImageSize, plan.Student.ImageSize };
        return (sample.Pixels, tensor(sample.Pixels, shape).to(plan.Device));
    }
}
