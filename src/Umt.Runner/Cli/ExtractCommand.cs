using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Checkpoints;
using Umt.Plugins.Datasets.Kinetics;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.Data;
using Umt.Runner.Workflows.Evaluation.Extraction;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt extract --checkpoint PATH --out DIR (--input FOLDER | --manifest FILE --root DIR [--dataset NAME]) [--tokens] [--batch N]</c>:
/// student features for a folder of videos or a manifest. The run's saved <c>config.json</c> is
/// layered under the user's configuration, so the student is rebuilt with the geometry it was
/// trained with; the dataset is read in eval mode.
/// </summary>
public static class ExtractCommand
{
    /// <summary>Files <c>--input</c> takes as videos.</summary>
    private static readonly string[] VideoExtensions = [".mp4", ".webm", ".mkv", ".avi", ".mov", ".m4v", ".mpg", ".mpeg"];

    public static Command Create(TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A run folder (its latest checkpoint), a checkpoint folder, or a model.safetensors.", Required = true };
        var outDir = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var input = new Option<string?>("--input") { Description = "A folder of videos (searched recursively)." };
        var manifest = new Option<string?>("--manifest") { Description = "A manifest of the dataset plugin (instead of --input)." };
        var root = new Option<string?>("--root") { Description = "Media root of --manifest." };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset plugin reading --manifest (default: the one its form says)." };
        var tokens = new Option<bool>("--tokens") { Description = "Also write every token's features (tokens/shard-*.safetensors)." };
        var batch = new Option<int>("--batch") { Description = "Clips per forward pass.", DefaultValueFactory = _ => 8 }.AtLeast(1);
        var json = new Option<bool>("--json") { Description = "Print one JSON object: what was written where (README: JSON output)." };
        var extract = new Command("extract", "Frozen student features (mean-pooled, optionally per token) for a folder of videos or a manifest, from a checkpoint; unreadable files are listed, not fatal.")
        {
            checkpoint, outDir, input, manifest, root, dataset, tokens, batch, json,
        };
        extract.SetAction(parse => UmtCommandLine.GuardedWith(parse, error, build =>
        {
            var reference = CheckpointReference.Resolve(parse.GetValue(checkpoint)!);
            string folder = Path.GetFullPath(parse.GetValue(outDir)!);
            Directory.CreateDirectory(folder);
            Func<CommonArguments, CommonArguments> withRun = reference.Under;
            var datasetSets = (parse.GetValue(input) is { } videos
                ? FolderDataset(Path.GetFullPath(videos), folder)
                : DatasetOverrides.FromManifest(build(withRun), parse.GetValue(manifest), parse.GetValue(root), parse.GetValue(dataset))).Sets;
            var services = build(a => withRun(a) with { Sets = [.. a.Sets, .. datasetSets] });
            var plan = services.GetRequiredService<RunPlan>();
            var result = new FeatureExtractor(plan, services.GetRequiredService<ILogger>())
                .Run(reference.ModelFile, folder, parse.GetValue(tokens), parse.GetValue(batch), new ProgressRenderer(error), cancel);
            if (parse.GetValue(json))
            {
                CliJson.Write(output, result);
                return ExitCodes.Success;
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Extracted {result.Clips} clips ({result.Unreadable} unreadable) in {result.Seconds:F1} s"));
            output.WriteLine($"  features   {result.Features}  (pooled [{result.Clips}, {result.Width}])");
            output.WriteLine($"  index      {result.Index}");
            if (result.TokenFolder is not null)
            {
                output.WriteLine($"  tokens     {result.TokenFolder}");
            }
            if (result.UnreadableList is not null)
            {
                output.WriteLine($"  unreadable {result.UnreadableList}");
            }
            return ExitCodes.Success;
        }));
        return extract;
    }

    /// <summary>Every video under <paramref name="videos"/> as a kinetics list (label 0) in eval mode.</summary>
    private static RunOverrides FolderDataset(string videos, string outDirectory)
    {
        if (!Directory.Exists(videos))
        {
            throw new ArgumentException($"--input '{videos}' is not a folder.");
        }
        var files = Directory.EnumerateFiles(videos, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(f => VideoExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Select(f => Path.GetRelativePath(videos, f))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new ArgumentException($"--input '{videos}' holds no videos ({string.Join(", ", VideoExtensions)}).");
        }
        string list = Path.Combine(outDirectory, "input.csv");
        File.WriteAllLines(list, files.Select(f => $"{FeatureExtractor.Csv(f)},0"));
        const string Kinetics = "kinetics";
        return new RunOverrides().Manifest(Kinetics, list, videos)
            .DatasetOption(Kinetics, nameof(KineticsOptions.Format), "list").DatasetOption(Kinetics, nameof(KineticsOptions.Separator), ",")
            .DatasetMode(Kinetics, "eval");
    }
}
