using System.CommandLine;
using System.Text.Json;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.Study;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt compare [--quick | --preset P] [--seeds N] [--steps N] [--probe-every N] [--resume | --report-only] [--out DIR]</c>:
/// the study of synthetic-benchmark.md. The VideoMAE baseline and UMT with semantic, random and
/// tube masking trained on the same data with the same budget, probed on both label sets at every
/// kept checkpoint, with the untrained floor, the frozen-teacher ceiling, the supervised references
/// and the mechanism check; writes report.md, its PNG figures and results.json into the output
/// folder after every outcome, and continues a study the folder already holds.
/// </summary>
public static class CompareCommand
{
    public const string ResultsFile = "results.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static Command Create(TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var preset = new Option<string>("--preset")
        {
            Description = "Study size: full (2 seeds, about an hour on 2 cores), long (3 seeds of the budget where the baseline learns; see README), quick (1 seed, minutes) or smoke (seconds, numbers without meaning; for tests).",
            DefaultValueFactory = _ => StudySettings.Full.Preset,
        };
        preset.AcceptOnlyFromAmong([.. StudySettings.Presets.Select(p => p.Preset)]);
        var quick = new Option<bool>("--quick") { Description = "Same as --preset quick (for CI)." };
        var seeds = new Option<int?>("--seeds") { Description = "Seeds per method (overrides the preset)." };
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps per run (overrides the preset)." };
        var probeEvery = new Option<int?>("--probe-every") { Description = "Probe a checkpoint every N steps (overrides the preset)." };
        var batch = new Option<int?>("--batch") { Description = "Clips per step (overrides the preset)." };
        var probeTrain = new Option<int?>("--probe-train") { Description = "Clips the probes are fitted on (overrides the preset)." };
        var probeTest = new Option<int?>("--probe-test") { Description = "Held-out clips the probes are scored on (overrides the preset)." };
        var mechanismClips = new Option<int?>("--mechanism-clips") { Description = "Clips with small objects for the mechanism check (overrides the preset)." };
        var supervisedSeeds = new Option<int?>("--supervised-seeds") { Description = "Train the supervised references for seeds 0 … N−1 only (overrides the preset; the long preset trains them for seed 0)." };
        var reportOnly = new Option<bool>("--report-only") { Description = $"Train nothing: recompute the tables and answers from the raw numbers of the {ResultsFile} in --out (a finished or a partial study), and rewrite it, report.md and the figures." };
        var resume = new Option<bool>("--resume") { Description = "Continue the study in --out with its own settings: finished runs, probes and references are kept, a killed run resumes from its checkpoint. Re-running the same line does the same." };
        var outDir = new Option<string>("--out") { Description = "Output folder: report.md, its figures, results.json, and the runs under runs/.", DefaultValueFactory = _ => "runs/compare" };
        var compare = new Command("compare", "The baseline-vs-UMT study (synthetic-benchmark.md): train VideoMAE and UMT with semantic, random and tube masking on the same data and budget, probe them over time on both label sets against an untrained floor and the frozen teacher, check the masking mechanism; report.md, PNG figures and results.json.")
        {
            preset, quick, seeds, steps, probeEvery, batch, probeTrain, probeTest, mechanismClips, supervisedSeeds, reportOnly, resume, outDir,
        };
        compare.SetAction(parse => UmtCommandLine.GuardedWith(parse, error, build =>
        {
            string folder = Path.GetFullPath(parse.GetValue(outDir)!);
            string resultsFile = Path.Combine(folder, ResultsFile);
            var saved = File.Exists(resultsFile) ? Load(resultsFile) : null;
            if (parse.GetValue(reportOnly))
            {
                var resummarised = (saved ?? throw new ConfigurationException($"--report-only: --out '{folder}' holds no study ({ResultsFile}).")).Resummarised();
                Write(resummarised, folder);
                return Print(resummarised, folder, output);
            }
            bool resuming = parse.GetValue(resume);
            if (resuming && saved is null)
            {
                throw new ConfigurationException($"--resume: --out '{folder}' holds no study ({ResultsFile}) to continue; start one without --resume.");
            }
            // --resume takes the folder's settings; a size option given beside it must agree with them.
            var start = parse.GetValue(quick) ? StudySettings.Quick
                : resuming && parse.GetResult(preset) is not { Implicit: false } ? saved!.Settings
                : StudySettings.Presets.Single(p => p.Preset == parse.GetValue(preset));
            var settings = (start with
            {
                Seeds = parse.GetValue(seeds) ?? start.Seeds,
                Steps = parse.GetValue(steps) ?? start.Steps,
                ProbeEvery = parse.GetValue(probeEvery) ?? start.ProbeEvery,
                BatchSize = parse.GetValue(batch) ?? start.BatchSize,
                ProbeTrain = parse.GetValue(probeTrain) ?? start.ProbeTrain,
                ProbeTest = parse.GetValue(probeTest) ?? start.ProbeTest,
                MechanismClips = parse.GetValue(mechanismClips) ?? start.MechanismClips,
                SupervisedSeeds = parse.GetValue(supervisedSeeds) ?? start.SupervisedSeeds,
            }).Validated();
            if (saved is not null && settings.DifferencesFrom(saved.Settings) is { Count: > 0 } differences)
            {
                throw new ConfigurationException([$"--out '{folder}' holds a study of other settings; re-run its own line (or --resume alone), or choose another --out:", .. differences.Select(d => "  " + d)]);
            }
            string runs = Path.Combine(folder, "runs");
            if (saved is null && Directory.Exists(runs) && Directory.EnumerateFileSystemEntries(runs).Any())
            {
                throw new ArgumentException($"--out '{folder}' already holds study runs ({runs}) but no {ResultsFile} to continue; choose another --out or delete it.");
            }
            Directory.CreateDirectory(folder);
            var earlier = saved ?? StudyResults.Empty(settings);
            if (saved is null)
            {
                Write(earlier, folder); // the settings are on disk before the first run: a study killed at once can still be resumed
            }
            else
            {
                output.WriteLine($"Continuing the study in {folder}: {saved.Runs.Count} method runs, {saved.References.Count} reference probes and {saved.Supervised.Count} supervised references already done.");
            }
            try
            {
                var results = new StudyRunner(build, settings, folder, new ProgressRenderer(error)).Run(earlier, done => Write(done, folder), cancel);
                return Print(results, folder, output);
            }
            catch (OperationCanceledException)
            {
                error.WriteLine($"umt: compare interrupted; what finished is in {resultsFile}. Re-run the same line, or `umt compare --resume --out {folder}`, to continue.");
                return ExitCodes.Interrupted;
            }
        }));
        return compare;
    }

    private static StudyResults Load(string resultsFile) =>
        JsonSerializer.Deserialize<StudyResults>(File.ReadAllText(resultsFile)) ?? throw new InvalidDataException($"{resultsFile} holds no study results.");

    /// <summary>results.json (atomically: a study killed while writing keeps the previous one), report.md and the figures.</summary>
    private static void Write(StudyResults results, string folder)
    {
        DurableFiles.ReplaceText(Path.Combine(folder, ResultsFile), JsonSerializer.Serialize(results, Json));
        StudyReport.Write(results, StudyPlots.Write(results, folder), folder);
    }

    private static int Print(StudyResults results, string folder, TextWriter output)
    {
        output.WriteLine();
        foreach (var answer in results.Answers)
        {
            output.WriteLine($"{answer.Question}\n  {answer.Answer}");
        }
        output.WriteLine($"\nreport {Path.Combine(folder, StudyReport.FileName)}\nraw    {Path.Combine(folder, ResultsFile)}");
        return ExitCodes.Success;
    }
}
