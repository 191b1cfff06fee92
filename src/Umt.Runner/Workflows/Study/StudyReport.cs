using System.Globalization;
using System.Text;

namespace Umt.Runner.Workflows.Study;

/// <summary>
/// report.md of <c>umt compare</c>: the settings, the answers, the results table, the costs, the
/// differences against the seed spread, the mechanism check and the figures. Every number comes
/// from the <see cref="StudyResults"/> that results.json holds.
/// </summary>
public static class StudyReport
{
    public const string FileName = "report.md";

    /// <summary>Heading the results table follows (the compare test finds the table by it).</summary>
    public const string ResultsHeading = "## Results";

    public static void Write(StudyResults results, IReadOnlyList<(string Caption, string File)> figures, string folder) =>
        File.WriteAllText(Path.Combine(folder, FileName), Render(results, figures));

    public static string Render(StudyResults results, IReadOnlyList<(string Caption, string File)> figures)
    {
        var s = results.Settings;
        var text = new StringBuilder();
        text.AppendLine("# umt compare: the VideoMAE baseline and UMT's maskings on SyntheticActions").AppendLine();
        if (results.SeedsDone < s.Seeds)
        {
            text.AppendLine(F($"**Partial: {results.SeedsDone} of {s.Seeds} seeds done ({results.Runs.Count} of {s.Seeds * StudyRuns.All.Count} method runs); the study is still running or was cut short. `umt compare --resume --out <this folder>` continues it.**")).AppendLine();
        }
        text.AppendLine(F($"Preset **{s.Preset}**: {Seeds(s.Seeds)} per method ({SeedKeys(s.Seeds)}; the data are the same for every run), {s.Steps} optimizer steps of batch {s.BatchSize} per run, a checkpoint probed every {s.ProbeEvery} steps: linear probe and {s.Neighbours}-NN on frozen, mean-pooled features, fitted on {s.ProbeTrain} clips of the synthetic train split and scored on {s.ProbeTest} held-out clips (never augmented). Mechanism check on {s.MechanismClips} held-out clips with small objects per masking and seed. {Environment.ProcessorCount} CPU cores; study wall time {results.StudySeconds / 60:F1} min over every sitting (written {results.Finished:yyyy-MM-dd HH:mm} UTC)."));
        text.AppendLine();
        text.AppendLine("Mean ± spread: the spread is the sample standard deviation over seeds (n − 1); with one seed there is none and none is shown. "
            + "A difference *exceeds the spread* when |Δ| > spread(a) + spread(b). Training costs run from the start of training (model and teacher set-up included) to the checkpoint, over every sitting of a resumed run: CPU time is the process's user + sys seconds (every thread), which other work on the machine moves far less than wall time; the answers' factors use CPU time, with steps, FLOPs and wall time beside.");
        text.AppendLine();
        text.AppendLine("## Answers").AppendLine();
        foreach (var answer in results.Answers)
        {
            text.AppendLine($"**{answer.Question}** {answer.Answer}").AppendLine();
        }
        text.AppendLine(ResultsHeading).AppendLine();
        text.AppendLine("Final checkpoint of every method, and the reference rows, on both label sets (held-out top-1 of probes on frozen features).").AppendLine();
        foreach (string line in ResultsTable(results.Table))
        {
            text.AppendLine(line);
        }
        text.AppendLine();
        if (results.Supervised.Count > 0)
        {
            text.AppendLine("The supervised references' own heads on their label set (held-out top-1, mean over seeds): "
                + string.Join("; ", results.Supervised.GroupBy(r => r.Row).Select(g => $"{g.Key} {Cell(SeedStatistics.Of([.. g.Select(r => r.HeadTop1)]), "F3")}")) + ".").AppendLine();
        }
        text.AppendLine("## Costs").AppendLine();
        text.AppendLine("Approximate FLOPs per training step from the model shapes (matrix products and attention; a trained part counts 3× its forward, the frozen teacher 1×).").AppendLine();
        text.AppendLine("| method | GFLOPs per step | GFLOPs per run | what is counted |");
        text.AppendLine("|---|---|---|---|");
        foreach (var cost in results.Costs)
        {
            text.AppendLine(F($"| {cost.Method} | {cost.FlopsPerStep / 1e9:F1} | {cost.FlopsPerStep * s.Steps / 1e9:F0} | {cost.Basis} |"));
        }
        text.AppendLine();
        text.AppendLine("## Which differences exceed the spread").AppendLine();
        text.AppendLine("| a − b | label set | Δ final linear top-1 | spread(a) + spread(b) | exceeds the spread |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var d in results.Differences)
        {
            text.AppendLine(F($"| {d.Run} − {d.Other} | {d.LabelSet} | {d.Delta:+0.000;−0.000;0.000} | {(d.SpreadSum is { } sum ? sum.ToString("F3", CultureInfo.InvariantCulture) : "—")} | {d.ExceedsSpread switch { true => "yes", false => "no", null => "one seed" }}{(d.SpreadBorrowed ? " (one side one seed, given the other's spread)" : "")} |"));
        }
        text.AppendLine();
        text.AppendLine("## Mechanism check").AppendLine();
        text.AppendLine("Enrichment = (share of visible tokens inside the object's box) / (share of all tokens inside it), mean over held-out clips with a small object; 1 = no preference for the object.").AppendLine();
        text.AppendLine("| run | masking | enrichment | clips per seed |");
        text.AppendLine("|---|---|---|---|");
        foreach (var m in results.MechanismTable)
        {
            text.AppendLine($"| {m.Run} | {m.Masking} | {Cell(m.Enrichment, "F3")} | {m.ClipsPerSeed} |");
        }
        text.AppendLine();
        text.AppendLine("## Figures").AppendLine();
        foreach (var (caption, file) in figures)
        {
            text.AppendLine($"![{caption}]({file})").AppendLine();
        }
        text.AppendLine("## Methods").AppendLine();
        foreach (var run in StudyRuns.All)
        {
            string departure = run == StudyRuns.VideoMae && !s.BaselineNormalizedTarget
                ? "; **in this study on raw pixels** (`NormalizeTarget = false`): on SyntheticActions the reference's per-cube normalised target of a flat cube is its noise (docs/DECISIONS.md, issue 20)"
                : "";
            text.AppendLine($"- **{run.Name}**: {run.Description}{departure}.");
        }
        text.AppendLine($"- **{StudyRuns.Floor}**: the student as the seed initialises it, untrained (the step-0 student of every UMT run of that seed).");
        text.AppendLine($"- **{StudyRuns.Ceiling}**: the frozen tiny-clip teacher's last-block patch tokens averaged over patches and frames.");
        text.AppendLine($"- **{StudyRuns.Supervised("<label set>")}**: the floor's student with a linear head trained with cross-entropy on that label set for the same steps, batch and learning rates (`umt finetune`'s classification, no layer decay), then probed frozen like the methods"
            + (s.SupervisedSeedCount == 0 ? "; not trained in this preset."
                : s.SupervisedSeedCount < s.Seeds ? $"; in this preset trained for seed{(s.SupervisedSeedCount == 1 ? " 0" : $"s 0–{s.SupervisedSeedCount - 1}")} only of the {s.Seeds} (it costs the most per step, see the costs), so its spread is {(s.SupervisedSeedCount == 1 ? "not measured" : "over those seeds")}."
                : "."));
        text.AppendLine().AppendLine("Raw numbers (every probed checkpoint, every loss, every seed): `results.json`.");
        return text.ToString();
    }

    /// <summary>The results table as markdown lines: header, separator, one line per <see cref="TableRow"/>.</summary>
    public static IReadOnlyList<string> ResultsTable(IReadOnlyList<TableRow> rows) =>
    [
        "| run | label set | seeds | linear top-1 | k-NN top-1 | CPU time (s) | wall time (s) | s/step |",
        "|---|---|---|---|---|---|---|---|",
        .. rows.Select(r => $"| {r.Run} | {r.LabelSet} | {r.LinearTop1.Seeds} | {Cell(r.LinearTop1, "F3")} | {Cell(r.KnnTop1, "F3")} | {Cell(r.CpuSeconds, "F1")} | {Cell(r.WallSeconds, "F1")} | {Cell(r.SecondsPerStep, "F3")} |"),
    ];

    /// <summary>"0.412 ± 0.013", or "0.412" with one seed.</summary>
    public static string Cell(MeanSpread value, string format) =>
        value.Mean.ToString(format, CultureInfo.InvariantCulture) + (value.Spread is { } spread ? " ± " + spread.ToString(format, CultureInfo.InvariantCulture) : "");

    private static string Seeds(int seeds) => seeds == 1 ? "1 seed" : F($"{seeds} seeds");

    private static string SeedKeys(int seeds) => seeds == 1 ? "`Umt:Run:Seed` 0" : F($"`Umt:Run:Seed` 0–{seeds - 1}");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
