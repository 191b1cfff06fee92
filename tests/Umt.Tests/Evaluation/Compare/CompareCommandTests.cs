using System.Globalization;
using System.Text.Json;
using Umt.Runner.Cli;
using Umt.Runner.Engine;
using Umt.Runner.Workflows.Study;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Evaluation.Compare;

/// <summary><c>umt compare</c> end to end at its smoke size: the report's table holds every run on both label sets and equals results.json.</summary>
public sealed class CompareCommandTests(ITestOutputHelper log)
{
    [Fact]
    public void Smoke_study_writes_a_report_whose_table_equals_the_json()
    {
        using var dir = new TemporaryDirectory();
        string output = dir.Combine("compare");

        var result = TestSupport.Umt.Run(log, "compare", "--preset", "smoke", "--out", output);

        result.ExitCode.Should().Be(0, result.All);
        int parts = 1 + StudyRuns.All.Count + 1 + StudyRuns.Distillations.Count; // the ceiling; per seed the runs, the floor, the mechanism checks
        result.Error.Should().MatchRegex($@"(?m)^compare: {parts}/{parts} parts \(100%\)", "the study counts its parts on stderr (issue 19)")
            .And.MatchRegex(@"(?m)^train: 2/2 steps \(100%\)", "a captured stderr is no terminal, so each run's steps show too");
        var results = JsonSerializer.Deserialize<StudyResults>(File.ReadAllText(Path.Combine(output, CompareCommand.ResultsFile)))!;
        string[] expectedRuns = [.. StudyRuns.All.Select(r => r.Name), StudyRuns.Floor, StudyRuns.Ceiling];
        results.Table.Select(r => (r.Run, r.LabelSet)).Should().BeEquivalentTo(
            expectedRuns.SelectMany(run => new[] { (run, "motion"), (run, "appearance") }), "every run and reference row on both label sets");

        var accuracies = results.Table.SelectMany(r => new[] { r.LinearTop1, r.KnnTop1 })
            .Concat(results.Runs.SelectMany(r => r.Points).SelectMany(p => p.Scores).SelectMany(s => new[] { new MeanSpread(s.LinearTop1, null, 1), new MeanSpread(s.KnnTop1, null, 1) }))
            .ToList();
        accuracies.Should().OnlyContain(a => a.Mean >= 0 && a.Mean <= 1, "accuracies are fractions");
        results.Table.SelectMany(r => new[] { r.LinearTop1, r.KnnTop1, r.WallSeconds, r.SecondsPerStep })
            .Should().OnlyContain(v => double.IsFinite(v.Mean) && (v.Spread == null || double.IsFinite(v.Spread.Value)));
        results.Runs.Should().OnlyContain(r => r.Losses.Count == r.Steps && r.Losses.All(double.IsFinite) && r.SecondsPerStep > 0);
        results.Mechanism.Should().OnlyContain(m => double.IsFinite(m.Enrichment) && m.Clips > 0);
        results.Answers.Should().HaveCount(4).And.OnlyContain(a => a.Answer.Length > 0);

        var reportRows = TableLines(File.ReadAllLines(Path.Combine(output, StudyReport.FileName)));
        reportRows.Should().HaveCount(results.Table.Count);
        foreach (var (cells, row) in reportRows.Zip(results.Table))
        {
            cells[0].Should().Be(row.Run);
            cells[1].Should().Be(row.LabelSet);
            int.Parse(cells[2], CultureInfo.InvariantCulture).Should().Be(row.LinearTop1.Seeds);
            ShouldShow(cells[3], row.LinearTop1, 3);
            ShouldShow(cells[4], row.KnnTop1, 3);
            ShouldShow(cells[5], row.WallSeconds, 1);
            ShouldShow(cells[6], row.SecondsPerStep, 3);
        }
        foreach (string png in new[] { "accuracy-motion.png", "accuracy-appearance.png", "loss.png" })
        {
            File.ReadAllBytes(Path.Combine(output, png)).Take(8).Should().Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png);
        }

        var again = TestSupport.Umt.Run(log, "compare", "--report-only", "--out", output);
        again.ExitCode.Should().Be(0, again.All);
        var rerendered = JsonSerializer.Deserialize<StudyResults>(File.ReadAllText(Path.Combine(output, CompareCommand.ResultsFile)))!;
        rerendered.Table.Should().BeEquivalentTo(results.Table, "--report-only recomputes the table from the same raw numbers");
        TableLines(File.ReadAllLines(Path.Combine(output, StudyReport.FileName))).Should().BeEquivalentTo(reportRows, o => o.WithStrictOrdering());
    }

    [Fact]
    public void A_folder_that_already_holds_study_runs_is_refused()
    {
        using var dir = new TemporaryDirectory();
        Directory.CreateDirectory(dir.Combine("compare", "runs", "videomae-seed0"));

        var result = TestSupport.Umt.Run(log, "compare", "--preset", "smoke", "--out", dir.Combine("compare"));

        result.ExitCode.Should().Be(ExitCodes.RuntimeFailure);
        result.Error.Should().Contain("already holds study runs");
    }

    /// <summary>The cells of the rows of the table under the results heading (header and separator skipped).</summary>
    private static List<string[]> TableLines(string[] report) =>
        [.. report.SkipWhile(l => l != StudyReport.ResultsHeading).Skip(1)
            .SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).Skip(2)
            .Select(l => l.Trim('|').Split('|').Select(c => c.Trim()).ToArray())];

    /// <summary>A cell "mean ± spread" (or "mean" with one seed) shows the JSON's value at its printed precision.</summary>
    private static void ShouldShow(string cell, MeanSpread value, int decimals)
    {
        string[] parts = cell.Split('±', StringSplitOptions.TrimEntries);
        double tolerance = 0.5 * Math.Pow(10, -decimals) + 1e-9;
        double.Parse(parts[0], CultureInfo.InvariantCulture).Should().BeApproximately(value.Mean, tolerance, cell);
        if (value.Spread is { } spread)
        {
            parts.Should().HaveCount(2, cell);
            double.Parse(parts[1], CultureInfo.InvariantCulture).Should().BeApproximately(spread, tolerance, cell);
        }
        else
        {
            parts.Should().HaveCount(1, $"{cell}: one seed shows no spread");
        }
    }
}
