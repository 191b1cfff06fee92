namespace Umt.Runner.Workflows.Study;

/// <summary>Held-out accuracies of one probe on one label set.</summary>
public sealed record ProbeScores(string LabelSet, int Classes, double LinearTop1, double LinearTop5, double KnnTop1);

/// <summary>The probes of one checkpoint.</summary>
/// <param name="WallSeconds">Wall time from the start of training to the checkpoint (setup, steps and earlier checkpoint writes).</param>
public sealed record ProbePoint(long Step, double WallSeconds, IReadOnlyList<ProbeScores> Scores);

/// <summary>One trained method with one seed.</summary>
/// <param name="SecondsPerStep">Training wall time over steps, as <c>umt train</c> reports it.</param>
/// <param name="Losses">Total training loss of every step.</param>
/// <param name="Points">Probed checkpoints in step order; the last is the end of training.</param>
public sealed record RunOutcome(string Run, long Seed, long Steps, double TrainingSeconds, double SecondsPerStep, IReadOnlyList<double> Losses, IReadOnlyList<ProbePoint> Points);

/// <summary>A reference row probed the same way: the floor (per seed) or the ceiling (no seed: the frozen teacher draws nothing).</summary>
public sealed record ReferenceOutcome(string Row, long? Seed, IReadOnlyList<ProbeScores> Scores);

/// <summary>The mechanism check of one masking with one seed.</summary>
/// <param name="Enrichment">Mean over clips with small objects of (visible tokens' share inside the box) / (all tokens' share inside it).</param>
public sealed record MechanismOutcome(string Run, string Masking, long Seed, double Enrichment, int Clips);

/// <summary>A row of the report's results table: a method (or reference) on one label set, over seeds.</summary>
/// <param name="WallSeconds">Wall time from the start of training to the final checkpoint; 0 for the reference rows, which are not trained here.</param>
/// <param name="SecondsPerStep">Training wall time per optimizer step; 0 for the reference rows.</param>
public sealed record TableRow(string Run, string LabelSet, MeanSpread LinearTop1, MeanSpread KnnTop1, MeanSpread WallSeconds, MeanSpread SecondsPerStep);

/// <summary>The mechanism check of one masking over seeds.</summary>
public sealed record MechanismRow(string Run, string Masking, MeanSpread Enrichment, int ClipsPerSeed);

/// <summary>A difference of final linear-probe accuracy between two methods, and whether it exceeds the seed spread.</summary>
/// <param name="ExceedsSpread">See <see cref="SeedStatistics.ExceedsSpread"/>; null with one seed.</param>
public sealed record Difference(string Run, string Other, string LabelSet, double Delta, double? SpreadSum, bool? ExceedsSpread);

/// <summary>One acceptance question and the sentence the numbers answer it with.</summary>
public sealed record StudyAnswer(string Question, string Answer);

/// <summary>Everything <c>umt compare</c> measured (written as results.json; report.md is rendered from the same object).</summary>
/// <param name="SeedsDone">Seeds finished (every method trained and probed); fewer than <c>Settings.Seeds</c> in the report written while the study still runs.</param>
public sealed record StudyResults(
    StudySettings Settings,
    int SeedsDone,
    DateTimeOffset Finished,
    double StudySeconds,
    IReadOnlyList<RunOutcome> Runs,
    IReadOnlyList<ReferenceOutcome> References,
    IReadOnlyList<MechanismOutcome> Mechanism,
    IReadOnlyList<TableRow> Table,
    IReadOnlyList<MechanismRow> MechanismTable,
    IReadOnlyList<Difference> Differences,
    IReadOnlyList<StudyAnswer> Answers)
{
    /// <summary>The results of the raw outcomes: tables, differences and answers computed from them.</summary>
    public static StudyResults Summarise(StudySettings settings, int seedsDone, double studySeconds,
        IReadOnlyList<RunOutcome> runs, IReadOnlyList<ReferenceOutcome> references, IReadOnlyList<MechanismOutcome> mechanism)
    {
        var rows = StudyTable.Rows(runs, references);
        var differences = StudyTable.Differences(rows);
        return new StudyResults(settings, seedsDone, DateTimeOffset.UtcNow, studySeconds, runs, references, mechanism, rows,
            StudyTable.Mechanism(mechanism), differences, StudyAnswers.From(runs, references, rows, differences));
    }

    /// <summary>These results summarised again from their raw outcomes (after the report's rules changed).</summary>
    public StudyResults Resummarised() => Summarise(Settings, SeedsDone, StudySeconds, Runs, References, Mechanism) with { Finished = Finished };
}
