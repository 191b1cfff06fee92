using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Plugins.Datasets.Ava;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.Data;
using Umt.Runner.Workflows.Evaluation;
using Umt.Runner.Workflows.Evaluation.Detection;
using Umt.Runner.Workflows.Evaluation.Retrieval;

namespace Umt.Runner.Cli;

/// <summary><c>umt eval probe|retrieval|detection</c>: linear probe and k-NN on frozen student features; video–text retrieval of a stage-2 checkpoint; AVA frame-level mAP of a detections CSV.</summary>
public static class EvalCommand
{
    public static Command Create(TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var eval = new Command("eval", "Evaluate a trained student.");
        eval.Subcommands.Add(Probe(output, error, cancel));
        eval.Subcommands.Add(Retrieval(output, error, cancel));
        eval.Subcommands.Add(Detection(output, error));
        eval.Subcommands.Add(QaEvalCommand.Create(output, error, cancel));
        return eval;
    }

    private static Command Detection(TextWriter output, TextWriter error)
    {
        var groundTruth = new Option<string>("--groundtruth") { Description = "AVA annotations CSV (e.g. ava_val_v2.2.csv).", Required = true };
        var detections = new Option<string>("--detections") { Description = "Detections CSV: video_id,timestamp,x1,y1,x2,y2,action_id,score.", Required = true };
        var labelMap = new Option<string>("--labelmap") { Description = "Label map pbtxt of the classes to evaluate (e.g. ava_action_list_v2.2_for_activitynet_2019.pbtxt, the 60 classes).", Required = true };
        var exclusions = new Option<string?>("--exclusions") { Description = "Excluded timestamps CSV (e.g. ava_val_excluded_timestamps_v2.2.csv): key frames dropped from both files." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: the counts, every class's AP and the mAP (README: JSON output)." };
        var detection = new Command("detection", "AVA v2.2 frame-level action detection: AP per class at IoU 0.5 and mAP over the label map's classes with ground truth, as ActivityNet's official get_ava_performance.py computes them.")
        {
            groundTruth, detections, labelMap, exclusions, json,
        };
        detection.SetAction(parse => UmtCommandLine.GuardedWith(parse, error, _ =>
        {
            string? exclusionsFile = parse.GetValue(exclusions);
            // A mistyped path is a usage error (exit 2, naming the option), not a failure of the evaluation.
            var missing = new[] { (groundTruth.Name, parse.GetValue(groundTruth)), (detections.Name, parse.GetValue(detections)), (labelMap.Name, parse.GetValue(labelMap)), (exclusions.Name, exclusionsFile) }
                .Where(f => f.Item2 is not null && !File.Exists(f.Item2)).Select(f => $"{f.Name}: no file '{f.Item2}'.").ToArray();
            if (missing.Length > 0)
            {
                throw new ConfigurationException(missing);
            }
            var result = AvaFrameEvaluation.Evaluate(
                AvaLabelMap.Read(parse.GetValue(labelMap)!),
                AvaCsv.ReadAnnotations(parse.GetValue(groundTruth)!),
                AvaCsv.ReadDetections(parse.GetValue(detections)!),
                exclusionsFile is null ? new HashSet<AvaKeyFrame>() : AvaCsv.ReadExclusions(exclusionsFile));
            if (parse.GetValue(json))
            {
                CliJson.Write(output, result);
                return ExitCodes.Success;
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"AVA frame-level detection, IoU {result.IouThreshold}: {result.GroundTruthKeyFrames} ground-truth key frames, {result.DetectionKeyFrames} with detections, {result.ExcludedKeyFrames} excluded, {result.OutsideLabelMap} rows outside the label map, {result.OverCapacity} over {AvaFrameEvaluation.DetectionsPerKeyFrame} per key frame, {result.InvalidDetections} invalid boxes"));
            foreach (var c in result.Classes)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {c.Id,3} {c.Name,-40} AP {(c.Ap is { } ap ? ap.ToString("F4", CultureInfo.InvariantCulture) : "  -   ")}  ({c.Positives} boxes, {c.Detections} detections, {c.TruePositives} matched)"));
            }
            output.WriteLine(result.MeanAp is { } mean
                ? string.Create(CultureInfo.InvariantCulture, $"  mAP@0.5 {mean:F4} over {result.Classes.Count(c => c.Ap is not null)} classes with ground truth")
                : "  mAP@0.5: no class of the label map has ground truth");
            return ExitCodes.Success;
        }));
        return detection;
    }

    private static Command Probe(TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A run folder (its latest checkpoint), a checkpoint folder, or a model.safetensors.", Required = true };
        var label = new Option<string?>("--label") { Description = "Label set to probe (default: every label set of the dataset)." };
        var trainCount = new Option<int>("--train") { Description = "Training clips, synthetic dataset.", DefaultValueFactory = _ => 1024 }.AtLeast(1);
        var testCount = new Option<int>("--test") { Description = "Held-out clips, synthetic dataset.", DefaultValueFactory = _ => 512 }.AtLeast(1);
        var trainManifest = new Option<string?>("--train-manifest") { Description = "Training split of a dataset of files." };
        var testManifest = new Option<string?>("--test-manifest") { Description = "Held-out split of a dataset of files." };
        var root = new Option<string?>("--root") { Description = "Media root of both manifests." };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset plugin of the manifests (default: Umt:Dataset:Use)." };
        var k = new Option<int>("--knn") { Description = "Neighbours of the k-NN classifier.", DefaultValueFactory = _ => 20 }.AtLeast(1);
        var json = new Option<bool>("--json") { Description = "Print one JSON array, an object per label set (README: JSON output)." };
        var probe = new Command("probe", "Linear probe and weighted k-NN on frozen, mean-pooled student features: fit on the training split, top-1/top-5 on the held-out split (synthetic: its train/test splits; files: --train-manifest/--test-manifest).")
        {
            checkpoint, label, trainCount, testCount, trainManifest, testManifest, root, dataset, k, json,
        };
        probe.SetAction(parse => UmtCommandLine.GuardedWith(parse, error, build =>
        {
            var reference = CheckpointReference.Resolve(parse.GetValue(checkpoint)!);
            var configured = build(reference.Under);
            string name = parse.GetValue(dataset) ?? configured.GetRequiredService<IConfiguration>()["Umt:Dataset:Use"] ?? "";
            IReadOnlyList<string> Split(string split, int clips, string? manifest) => SplitDataset(configured, name, split, clips, manifest, $"--{split}-manifest", parse.GetValue(root));
            var trainServices = build(a => reference.Under(a) with { Sets = [.. a.Sets, .. Split("train", parse.GetValue(trainCount), parse.GetValue(trainManifest))] });
            var testServices = build(a => reference.Under(a) with { Sets = [.. a.Sets, .. Split("test", parse.GetValue(testCount), parse.GetValue(testManifest))] });
            var trainPlan = trainServices.GetRequiredService<RunPlan>();
            using var student = FrozenStudent.Load(trainPlan, reference.ModelFile);
            var results = new ProbeEvaluation(student, trainServices.GetRequiredService<ILogger>(), new ProgressRenderer(error))
                .Run(trainPlan, testServices.GetRequiredService<RunPlan>(), parse.GetValue(label), parse.GetValue(k), cancel);
            if (parse.GetValue(json))
            {
                CliJson.Write(output, results);
                return ExitCodes.Success;
            }
            output.WriteLine($"probe of {reference.ModelFile} on {name} (held-out split, never augmented):");
            foreach (var r in results)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {r.LabelSet,-12} linear top-1 {r.Linear.Top1:F3}  top-5 {r.Linear.Top5:F3}   {r.K}-NN top-1 {r.Knn.Top1:F3}   ({r.Train} train / {r.Test} held-out, {r.Classes} classes, chance {1.0 / r.Classes:F3})"));
            }
            return ExitCodes.Success;
        }));
        return probe;
    }

    private static Command Retrieval(TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A stage-2 run folder (its latest checkpoint), a checkpoint folder, or a model.safetensors.", Required = true };
        var testCount = new Option<int>("--test") { Description = "Held-out clips, synthetic dataset.", DefaultValueFactory = _ => 256 }.AtLeast(1);
        var manifest = new Option<string?>("--manifest") { Description = "Held-out captioned videos of a dataset of files (e.g. a webvid CSV)." };
        var root = new Option<string?>("--root") { Description = "Media root of the manifest." };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset plugin of the manifest (default: Umt:Dataset:Use)." };
        var rerank = new Option<int>("--rerank") { Description = "Candidates per query re-scored by the matching head (the reference's k_test); 0: contrastive ranking only.", DefaultValueFactory = _ => 128 }.AtLeast(0);
        var json = new Option<bool>("--json") { Description = "Print one JSON object (README: JSON output)." };
        var retrieval = new Command("retrieval", "Text→video and video→text retrieval on held-out captioned clips (all tokens visible, per-frame embeddings averaged): R@1/5/10, median and mean rank and the reference's itm_eval summary (txt_r*, img_r*, r_mean), from the contrastive similarities and after re-ranking the top candidates with the matching head. Umt:Retrieval:Protocol picks the queries: equal-captions (default; clips with equal captions are positives), multi-caption (every caption of a clip a query) or paragraph (a clip's captions joined).")
        {
            checkpoint, testCount, manifest, root, dataset, rerank, json,
        };
        retrieval.SetAction(parse => UmtCommandLine.GuardedWith(parse, error, build =>
        {
            var reference = CheckpointReference.Resolve(parse.GetValue(checkpoint)!);
            var configured = build(reference.Under);
            string name = parse.GetValue(dataset) ?? configured.GetRequiredService<IConfiguration>()["Umt:Dataset:Use"] ?? "";
            var sets = SplitDataset(configured, name, "test", parse.GetValue(testCount), parse.GetValue(manifest), "--manifest", parse.GetValue(root));
            var services = build(a => reference.Under(a) with { Sets = [.. a.Sets, .. sets] });
            var plan = services.GetRequiredService<RunPlan>();
            var log = services.GetRequiredService<ILogger>();
            using var model = FrozenVisionLanguage.Load(plan, reference.ModelFile, log);
            var result = new RetrievalEvaluation(model, log, new ProgressRenderer(error)).Run(plan, parse.GetValue(rerank), cancel);
            if (parse.GetValue(json))
            {
                CliJson.Write(output, result);
                return ExitCodes.Success;
            }
            output.WriteLine($"retrieval of {reference.ModelFile} on {name}: {result.Clips} held-out clips, {result.Texts} text queries ({result.DistinctCaptions} distinct), protocol {result.Protocol} ({ProtocolMeaning(result.Protocol)}){(result.Unreadable > 0 ? $", {result.Unreadable} unreadable skipped" : "")}");
            Print(output, "contrastive (VTC similarity)", result.Contrastive);
            if (result.Reranked is { } reranked)
            {
                Print(output, $"re-ranked (top {result.RerankK} by itm_head)", reranked);
            }
            return ExitCodes.Success;
        }));
        return retrieval;
    }

    private static void Print(TextWriter output, string label, RetrievalDirections directions)
    {
        output.WriteLine($"  {label}:");
        foreach (var (direction, s) in new[] { ("text→video", directions.TextToVideo), ("video→text", directions.VideoToText) })
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {direction}  R@1 {s.R1:F3}  R@5 {s.R5:F3}  R@10 {s.R10:F3}  median rank {s.MedianRank:F1}  mean rank {s.MeanRank:F1}   (chance R@1 {s.ChanceR1:F3}, R@1 / chance {s.R1 / s.ChanceR1:F1}×)"));
        }
        var m = directions.ItmEval;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    itm_eval    txt_r1 {m.TxtR1:F3}  txt_r5 {m.TxtR5:F3}  txt_r10 {m.TxtR10:F3}  txt_r_mean {m.TxtRMean:F3}  img_r1 {m.ImgR1:F3}  img_r5 {m.ImgR5:F3}  img_r10 {m.ImgR10:F3}  img_r_mean {m.ImgRMean:F3}  r_mean {m.RMean:F3}"));
    }

    private static string ProtocolMeaning(string protocol) => protocol switch
    {
        RetrievalProtocols.MultiCaption => "every caption a query, its clip the answer",
        RetrievalProtocols.Paragraph => "a clip's captions joined into one query",
        _ => "equal captions count as positives",
    };

    /// <summary>Configuration that points the run's dataset at a held-out split: synthetic's own split, or a manifest of files in eval mode.</summary>
    internal static IReadOnlyList<string> SplitDataset(ServiceProvider configured, string name, string split, int clips, string? manifest, string manifestOption, string? root) =>
        (name == "synthetic"
            ? new RunOverrides().SyntheticSplit(split, clips)
            : DatasetOverrides.FromManifest(configured, manifest ?? throw new ArgumentException($"{manifestOption} is required for the '{name}' dataset."), root, name)).Sets;
}
