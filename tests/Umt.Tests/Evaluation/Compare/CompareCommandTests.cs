using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Umt.Runner.Cli;
using Umt.Runner.Engine;
using Umt.Runner.Workflows.Study;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Evaluation.Compare;

/// <summary>
/// <c>umt compare</c> end to end at its smoke size: the report's table holds every run on both label
/// sets and equals results.json; a study stopped in the middle of a run and run again ends with the
/// same results as an uninterrupted one; every run records its CPU time.
/// </summary>
public sealed class CompareCommandTests(CompareCommandTests.SmokeStudy study, ITestOutputHelper log) : IClassFixture<CompareCommandTests.SmokeStudy>
{
    /// <summary>One uninterrupted smoke study, shared by the tests that read it.</summary>
    public sealed class SmokeStudy : IDisposable
    {
        private readonly TemporaryDirectory dir = new();

        public SmokeStudy()
        {
            Output = dir.Combine("compare");
            var clock = Stopwatch.StartNew();
            Run = TestSupport.Umt.Run(null, "compare", "--preset", "smoke", "--out", Output);
            Seconds = clock.Elapsed.TotalSeconds;
        }

        public string Output { get; }

        public TestSupport.Umt.Result Run { get; }

        public double Seconds { get; }

        public StudyResults Results => JsonSerializer.Deserialize<StudyResults>(File.ReadAllText(Path.Combine(Output, CompareCommand.ResultsFile)))!;

        public void Dispose() => dir.Dispose();
    }

    [Fact]
    public void Smoke_study_writes_a_report_whose_table_equals_the_json()
    {
        log.WriteLine($"smoke study: {study.Seconds:F1} s\n{study.Run.All}");
        study.Run.ExitCode.Should().Be(0, study.Run.All);
        int parts = 2 + StudyRuns.All.Count + 1 + 2 + StudyRuns.Distillations.Count; // the ceiling and the costs; per seed the runs, the floor, the two supervised references, the mechanism checks
        study.Run.Error.Should().MatchRegex($@"(?m)^compare: {parts}/{parts} parts \(100%\)", "the study counts its parts on stderr (issue 19)")
            .And.MatchRegex(@"(?m)^train: 2/2 steps \(100%\)", "a captured stderr is no terminal, so each run's steps show too");
        string output = study.Output;
        var results = study.Results;
        string[] expectedRuns = [.. StudyRuns.All.Select(r => r.Name), StudyRuns.Floor, StudyRuns.Ceiling, StudyRuns.Supervised("motion"), StudyRuns.Supervised("appearance")];
        results.Table.Select(r => (r.Run, r.LabelSet)).Should().BeEquivalentTo(
            expectedRuns.SelectMany(run => new[] { (run, "motion"), (run, "appearance") }), "every run and reference row on both label sets");

        var accuracies = results.Table.SelectMany(r => new[] { r.LinearTop1, r.KnnTop1 })
            .Concat(results.Runs.SelectMany(r => r.Points).SelectMany(p => p.Scores).SelectMany(s => new[] { new MeanSpread(s.LinearTop1, null, 1), new MeanSpread(s.KnnTop1, null, 1) }))
            .ToList();
        accuracies.Should().OnlyContain(a => a.Mean >= 0 && a.Mean <= 1, "accuracies are fractions");
        results.Table.SelectMany(r => new[] { r.LinearTop1, r.KnnTop1, r.WallSeconds, r.CpuSeconds, r.SecondsPerStep })
            .Should().OnlyContain(v => double.IsFinite(v.Mean) && (v.Spread == null || double.IsFinite(v.Spread.Value)));
        results.Runs.Should().OnlyContain(r => r.Losses.Count == r.Steps && r.Losses.All(double.IsFinite) && r.SecondsPerStep > 0);
        results.Mechanism.Should().OnlyContain(m => double.IsFinite(m.Enrichment) && m.Clips > 0);
        results.Answers.Should().HaveCount(6).And.OnlyContain(a => a.Answer.Length > 0 && !a.Answer.StartsWith("Not measured yet"));
        results.SeedsDone.Should().Be(1);
        results.Costs.Select(c => c.Method).Should().Equal([.. StudyRuns.All.Select(r => r.Name), StudyRuns.SupervisedMethod]);
        results.Costs.Should().OnlyContain(c => c.FlopsPerStep > 0);

        var reportRows = TableLines(File.ReadAllLines(Path.Combine(output, StudyReport.FileName)));
        reportRows.Should().HaveCount(results.Table.Count);
        foreach (var (cells, row) in reportRows.Zip(results.Table))
        {
            cells[0].Should().Be(row.Run);
            cells[1].Should().Be(row.LabelSet);
            int.Parse(cells[2], CultureInfo.InvariantCulture).Should().Be(row.LinearTop1.Seeds);
            ShouldShow(cells[3], row.LinearTop1, 3);
            ShouldShow(cells[4], row.KnnTop1, 3);
            ShouldShow(cells[5], row.CpuSeconds, 1);
            ShouldShow(cells[6], row.WallSeconds, 1);
            ShouldShow(cells[7], row.SecondsPerStep, 3);
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
    public void Every_run_records_cpu_seconds_above_zero_and_at_most_wall_time_on_every_core()
    {
        study.Run.ExitCode.Should().Be(0, study.Run.All);
        var results = study.Results;
        // A little slack for the two clocks' granularity (the process CPU clock ticks in 10 ms).
        int cores = Environment.ProcessorCount;
        results.Runs.Should().NotBeEmpty().And.OnlyContain(r => r.CpuSeconds > 0 && r.CpuSeconds <= r.TrainingSeconds * cores + 0.05);
        results.Runs.SelectMany(r => r.Points).Should().OnlyContain(p => p.CpuSeconds > 0 && p.CpuSeconds <= p.WallSeconds * cores + 0.05);
        results.Supervised.Should().NotBeEmpty().And.OnlyContain(s => s.CpuSeconds > 0 && s.CpuSeconds <= s.TrainingSeconds * cores + 0.05);
        foreach (var run in results.Runs)
        {
            run.Points[^1].CpuSeconds.Should().Be(run.CpuSeconds, "the last probe point is the end of training");
            run.Points.Select(p => p.CpuSeconds).Should().BeInAscendingOrder($"{run.Run}: CPU time only grows");
        }
    }

    [Fact]
    public void A_study_stopped_in_the_middle_of_a_run_and_run_again_ends_with_the_results_of_an_uninterrupted_one()
    {
        study.Run.ExitCode.Should().Be(0, study.Run.All);
        using var dir = new TemporaryDirectory();
        string output = dir.Combine("compare");
        var clock = Stopwatch.StartNew();

        // Stopped as Ctrl+C stops it, once the second method has done its first step (its progress
        // line on stderr, the second "train: 1/2" of the study): the trainer checkpoints that step off
        // the probe grid (step 1 of 2) and the study stops.
        using var stop = new CancellationTokenSource();
        var printed = new StringWriter();
        var errors = new StopWhenWritten(FirstStep, stop, times: 2);
        int first = UmtCommandLine.Invoke(["compare", "--preset", "smoke", "--out", output, "--repo", RepositoryPaths.Root], printed, errors, stop.Token);
        log.WriteLine($"first sitting: exit {first} in {clock.Elapsed.TotalSeconds:F1} s\n{printed}\n{errors}");
        first.Should().Be(ExitCodes.Interrupted, errors.ToString());
        var partial = JsonSerializer.Deserialize<StudyResults>(File.ReadAllText(Path.Combine(output, CompareCommand.ResultsFile)))!;
        partial.Runs.Select(r => r.Run).Should().Equal([StudyRuns.VideoMae.Name], "results.json holds the run that finished before the stop");
        Directory.GetDirectories(StudyRunner.RunFolder(output, StudyRuns.Semantic.Name, 0), "checkpoint-*").Select(Path.GetFileName)
            .Should().Equal(["checkpoint-1"], "the stopped run checkpointed its one step");
        File.ReadAllText(Path.Combine(output, StudyReport.FileName)).Should().Contain("Partial: 0 of 1 seeds done");

        var second = TestSupport.Umt.Run(log, "compare", "--preset", "smoke", "--out", output);
        log.WriteLine($"both sittings: {clock.Elapsed.TotalSeconds:F1} s");
        second.ExitCode.Should().Be(0, second.All);
        second.Output.Should().Contain("Continuing the study");
        Regex.Matches(second.Error, $"(?m)^{Regex.Escape(FirstStep)}").Should().HaveCount(StudyRuns.All.Count - 2,
            "the finished run is not trained again and the stopped one resumes after its first step; only the others start from step 0");

        var resumed = JsonSerializer.Deserialize<StudyResults>(File.ReadAllText(Path.Combine(output, CompareCommand.ResultsFile)))!;
        var uninterrupted = study.Results;
        resumed.Runs.Select(Measured).Should().Equal(uninterrupted.Runs.Select(Measured), "the resumed run trains and probes as the uninterrupted one");
        resumed.References.Should().BeEquivalentTo(uninterrupted.References, o => o.WithStrictOrdering());
        resumed.Supervised.Select(s => (s.Row, s.Seed, s.Steps, Losses: string.Join(",", s.Losses), s.HeadTop1, Scores: Scores(s.Scores)))
            .Should().Equal(uninterrupted.Supervised.Select(s => (s.Row, s.Seed, s.Steps, Losses: string.Join(",", s.Losses), s.HeadTop1, Scores: Scores(s.Scores))));
        resumed.Mechanism.Should().BeEquivalentTo(uninterrupted.Mechanism, o => o.WithStrictOrdering());
        resumed.Table.Select(r => (r.Run, r.LabelSet, r.LinearTop1, r.KnnTop1)).Should().Equal(uninterrupted.Table.Select(r => (r.Run, r.LabelSet, r.LinearTop1, r.KnnTop1)));
        resumed.Differences.Should().BeEquivalentTo(uninterrupted.Differences, o => o.WithStrictOrdering());
        resumed.SeedsDone.Should().Be(1);
    }

    [Fact]
    public void A_folder_holding_a_study_of_other_settings_is_refused_naming_them()
    {
        using var dir = new TemporaryDirectory();
        string output = dir.Combine("compare");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, CompareCommand.ResultsFile), JsonSerializer.Serialize(StudyResults.Empty(StudySettings.Smoke with { Steps = 3 })));

        var result = TestSupport.Umt.Run(log, "compare", "--preset", "smoke", "--out", output);

        result.ExitCode.Should().Be(ExitCodes.ConfigurationError);
        result.Error.Should().Contain("holds a study of other settings").And.Contain("Steps: 2 here, 3 in the folder's study");
        TestSupport.Umt.Run(log, "compare", "--resume", "--out", dir.Combine("empty")).Error.Should().Contain("--resume").And.Contain("holds no study");
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

    /// <summary>What a run measured, timings aside (they differ between any two sittings): steps, every loss, every probe.</summary>
    private static string Measured(RunOutcome run) =>
        $"{run.Run} {run.Seed} {run.Steps} [{string.Join(",", run.Losses.Select(l => l.ToString("R", CultureInfo.InvariantCulture)))}] "
        + string.Join(" ", run.Points.Select(p => $"{p.Step}:{Scores(p.Scores)}"));

    private static string Scores(IReadOnlyList<ProbeScores> scores) =>
        string.Join(";", scores.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.LabelSet}/{s.Classes}/{s.LinearTop1:R}/{s.LinearTop5:R}/{s.KnnTop1:R}")));

    /// <summary>A smoke run's first step as the plain progress shows it.</summary>
    private const string FirstStep = "train: 1/2 steps";

    /// <summary>The study's progress output (stderr), which cancels <paramref name="stop"/> once a line containing <paramref name="marker"/> has been written <paramref name="times"/> times.</summary>
    private sealed class StopWhenWritten(string marker, CancellationTokenSource stop, int times) : StringWriter(CultureInfo.InvariantCulture)
    {
        private int seen;

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(marker, StringComparison.Ordinal) == true && ++seen == times)
            {
                stop.Cancel();
            }
        }
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
