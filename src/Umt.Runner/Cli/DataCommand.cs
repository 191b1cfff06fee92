using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.Data;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt data synth</c> (SyntheticActions as real .mp4/.jpg files with Kinetics, WebVid and CC3M
/// manifests) and <c>umt data verify</c> (read every entry of a manifest without training).
/// </summary>
public static class DataCommand
{
    public static Command Create(TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var data = new Command("data", "Real-data tools: write SyntheticActions as media files; verify a manifest before training.");
        data.Subcommands.Add(Synth(output, error, cancel));
        data.Subcommands.Add(Verify(output, error, cancel));
        return data;
    }

    private static Command Synth(TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var outDir = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var clips = new Option<int>("--clips") { Description = "Videos to write (.mp4, H.264).", DefaultValueFactory = _ => 64 };
        var images = new Option<int>("--images") { Description = "Images to write (.jpg).", DefaultValueFactory = _ => 0 };
        var size = new Option<int>("--size") { Description = "Frame side in pixels (even).", DefaultValueFactory = _ => 64 };
        var frames = new Option<int>("--frames") { Description = "Frames per video.", DefaultValueFactory = _ => 16 };
        var fps = new Option<int>("--fps") { Description = "Frame rate of the videos.", DefaultValueFactory = _ => 8 };
        var seed = new Option<long>("--seed") { Description = "SyntheticActions content seed.", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: the files and manifests written (README: JSON output)." };
        var synth = new Command("synth", "Write SyntheticActions as real files: .mp4 clips + a Kinetics list + a WebVid JSON list, .jpg images + a CC3M TSV, and overlay configs for each loader.")
        {
            outDir, clips, images, size, frames, fps, seed, json,
        };
        synth.SetAction(parse => UmtCommandLine.Guarded(parse, error, services =>
        {
            var plan = services.GetRequiredService<RunPlan>();
            SyntheticExportResult result;
            using (var counter = new ProgressRenderer(error).Start("data synth", parse.GetValue(clips) + parse.GetValue(images), "files"))
            {
                result = SyntheticMediaExport.Write(new SyntheticExportOptions(parse.GetValue(outDir)!, parse.GetValue(clips), parse.GetValue(images),
                    parse.GetValue(size), parse.GetValue(frames), parse.GetValue(fps), parse.GetValue(seed), plan.Run.DataWorkers), cancel, written => counter.Report(written));
            }
            if (parse.GetValue(json))
            {
                CliJson.Write(output, result);
                return ExitCodes.Success;
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {result.Clips} clips and {result.Images} images to {result.Output}"));
            foreach (string? manifest in new[] { result.KineticsList, result.WebVidJson, result.Cc3mTsv }.Where(m => m is not null))
            {
                output.WriteLine($"  manifest  {manifest}");
            }
            if (result.AvaAnnotations is { } ava)
            {
                output.WriteLine($"  ava       {ava} (key-frame boxes and label map, for finetune --task detection)");
            }
            foreach (string overlay in result.Overlays)
            {
                output.WriteLine($"  train on it: ./umt train --config {overlay}");
            }
            if (result.Qa is { } qa)
            {
                output.WriteLine($"  QA        {qa.MultipleChoice} (multiple-choice), {qa.OpenEnded} (open-ended), {qa.AnswerList} (answer list)");
            }
            return ExitCodes.Success;
        }));
        return synth;
    }

    private static Command Verify(TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var manifest = new Argument<string>("manifest") { Description = "The manifest to check." };
        var root = new Option<string>("--root") { Description = "Media root the manifest's paths are resolved under.", Required = true };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset plugin that reads the manifest (default: the one its form says)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: counts and every failure (README: JSON output)." };
        var verify = new Command("verify", "Read every entry of a manifest as training would, without training; print failures grouped by reason; exit 1 if any.")
        {
            manifest, root, dataset, json,
        };
        verify.SetAction(parse => UmtCommandLine.GuardedWith(parse, error, build =>
        {
            string name = ManifestDataset.Choose(build(a => a), parse.GetValue(manifest)!, parse.GetValue(dataset));
            var pointed = build(a => a with { Sets = [.. a.Sets, .. new RunOverrides().Manifest(name, parse.GetValue(manifest)!, parse.GetValue(root)!).Sets] });
            var plan = pointed.GetRequiredService<RunPlan>();
            var log = pointed.GetRequiredService<ILogger>();
            using var reader = plan.CreateDataset(log);
            var report = DatasetVerifier.Verify(reader, plan.Run.DataWorkers, new ProgressRenderer(error), cancel);
            if (parse.GetValue(json))
            {
                CliJson.Write(output, new
                {
                    dataset = name, manifest = parse.GetValue(manifest)!, samples = report.Samples, readable = report.Samples - report.Failures.Count,
                    unreadable = report.Failures.Count, failures = report.Failures,
                });
            }
            else
            {
                report.Write(output, name, parse.GetValue(manifest)!);
            }
            return report.Failures.Count == 0 ? ExitCodes.Success : ExitCodes.RuntimeFailure;
        }));
        return verify;
    }
}
