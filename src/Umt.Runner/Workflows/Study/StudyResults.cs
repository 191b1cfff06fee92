namespace Umt.Runner.Workflows.Study;

/// <summary>Held-out accuracies of one probe on one label set.</summary>
public sealed record ProbeScores(string LabelSet, int Classes, double LinearTop1, double LinearTop5, double KnnTop1);

/// <summary>The probes of one checkpoint.</summary>
/// <param name="WallSeconds">Wall time from the start of training to the checkpoint (setup, steps and earlier checkpoint writes), over every sitting of a resumed run.</param>
/// <param name="CpuSeconds">Process CPU seconds (user + sys) spent training up to the checkpoint, counted as <paramref name="WallSeconds"/>.</param>
public sealed record ProbePoint(long Step, double WallSeconds, double CpuSeconds, IReadOnlyList<ProbeScores> Scores);

/// <summary>One trained method with one seed.</summary>
/// <param name="TrainingSeconds">Training wall time to the last checkpoint, over every sitting.</param>
/// <param name="CpuSeconds">Process CPU seconds (user + sys) of the training, over every sitting.</param>
/// <param name="SecondsPerStep">Training wall time over steps.</param>
/// <param name="Losses">Total training loss of every step.</param>
/// <param name="Points">Probed checkpoints in step order; the last is the end of training.</param>
public sealed record RunOutcome(string Run, long Seed, long Steps, double TrainingSeconds, double CpuSeconds, double SecondsPerStep, IReadOnlyList<double> Losses, IReadOnlyList<ProbePoint> Points);

/// <summary>
/// The supervised reference of one label set with one seed: the floor's student with a linear head
/// trained with cross-entropy on that label set for the study's budget (<c>umt finetune</c>'s
/// classification), then frozen and probed like every method.
/// </summary>
/// <param name="HeadTop1">Held-out top-1 of the trained classifier itself (its own head).</param>
/// <param name="Scores">Linear probe and k-NN of its frozen features on every label set.</param>
public sealed record SupervisedOutcome(string LabelSet, long Seed, long Steps, double TrainingSeconds, double CpuSeconds, IReadOnlyList<double> Losses, double HeadTop1, IReadOnlyList<ProbeScores> Scores)
{
    /// <summary>Row name in the report, one per label set.</summary>
    public string Row => StudyRuns.Supervised(LabelSet);
}

/// <summary>A reference row probed the same way: the floor (per seed) or the ceiling (no seed: the frozen teacher draws nothing).</summary>
public sealed record ReferenceOutcome(string Row, long? Seed, IReadOnlyList<ProbeScores> Scores);

/// <summary>The mechanism check of one masking with one seed.</summary>
/// <param name="Enrichment">Mean over clips with small objects of (visible tokens' share inside the box) / (all tokens' share inside it).</param>
public sealed record MechanismOutcome(string Run, string Masking, long Seed, double Enrichment, int Clips);

/// <summary>A row of the report's results table: a method (or reference) on one label set, over seeds.</summary>
/// <param name="WallSeconds">Wall time from the start of training to the final checkpoint; 0 for the floor and ceiling, which are not trained here.</param>
/// <param name="CpuSeconds">Process CPU seconds of the training; 0 for the floor and ceiling.</param>
/// <param name="SecondsPerStep">Training wall time per optimizer step; 0 for the floor and ceiling.</param>
public sealed record TableRow(string Run, string LabelSet, MeanSpread LinearTop1, MeanSpread KnnTop1, MeanSpread WallSeconds, MeanSpread CpuSeconds, MeanSpread SecondsPerStep);

/// <summary>The mechanism check of one masking over seeds.</summary>
public sealed record MechanismRow(string Run, string Masking, MeanSpread Enrichment, int ClipsPerSeed);

/// <summary>A difference of final linear-probe accuracy between two methods, and whether it exceeds the seed spread.</summary>
/// <param name="ExceedsSpread">See <see cref="SeedStatistics.ExceedsSpread"/>; null with one seed on each side.</param>
/// <param name="SpreadBorrowed">One side has one seed and was given the other's spread (<see cref="SeedStatistics.SpreadSum"/>).</param>
public sealed record Difference(string Run, string Other, string LabelSet, double Delta, double? SpreadSum, bool? ExceedsSpread, bool SpreadBorrowed = false);

/// <summary>One acceptance question and the sentence the numbers answer it with.</summary>
public sealed record StudyAnswer(string Question, string Answer);

/// <summary>Everything <c>umt compare</c> measured (written as results.json; report.md is rendered from the same object).</summary>
/// <param name="SeedsDone">Seeds finished (every method, reference and mechanism check of the seed); fewer than <c>Settings.Seeds</c> in the report written while the study still runs.</param>
/// <param name="StudySeconds">Wall time of the study over every sitting.</param>
/// <param name="Costs">Approximate FLOPs per training step of every method, from the model shapes.</param>
public sealed record StudyResults(
    StudySettings Settings,
    int SeedsDone,
    DateTimeOffset Finished,
    double StudySeconds,
    IReadOnlyList<RunOutcome> Runs,
    IReadOnlyList<ReferenceOutcome> References,
    IReadOnlyList<SupervisedOutcome> Supervised,
    IReadOnlyList<MechanismOutcome> Mechanism,
    IReadOnlyList<MethodCost> Costs,
    IReadOnlyList<TableRow> Table,
    IReadOnlyList<MechanismRow> MechanismTable,
    IReadOnlyList<Difference> Differences,
    IReadOnlyList<StudyAnswer> Answers)
{
    /// <summary>The results of the raw outcomes, whatever part of the study they cover: tables, differences and answers computed from them.</summary>
    public static StudyResults Summarise(StudySettings settings, double studySeconds, IReadOnlyList<RunOutcome> runs, IReadOnlyList<ReferenceOutcome> references,
        IReadOnlyList<SupervisedOutcome> supervised, IReadOnlyList<MechanismOutcome> mechanism, IReadOnlyList<MethodCost> costs)
    {
        var rows = StudyTable.Rows(runs, references, supervised);
        var differences = StudyTable.Differences(rows);
        int seedsDone = Enumerable.Range(0, settings.Seeds).TakeWhile(seed => SeedDone(settings, seed, runs, references, supervised, mechanism)).Count();
        return new StudyResults(settings, seedsDone, DateTimeOffset.UtcNow, studySeconds, runs, references, supervised, mechanism, costs, rows,
            StudyTable.Mechanism(mechanism), differences, StudyAnswers.From(runs, references, supervised, rows, differences, costs));
    }

    /// <summary>An empty study of <paramref name="settings"/>: what results.json holds before the first outcome.</summary>
    public static StudyResults Empty(StudySettings settings) => Summarise(settings, 0, [], [], [], [], []);

    /// <summary>These results summarised again from their raw outcomes (after the report's rules changed).</summary>
    public StudyResults Resummarised() => Summarise(Settings, StudySeconds, Runs, References, Supervised, Mechanism, Costs) with { Finished = Finished };

    /// <summary>
    /// Whether every method, the floor, the mechanism checks and, for a seed that trains them
    /// (<see cref="StudySettings.SupervisedSeedCount"/>), every supervised reference of
    /// <paramref name="seed"/> are done.
    /// </summary>
    private static bool SeedDone(StudySettings settings, long seed, IReadOnlyList<RunOutcome> runs, IReadOnlyList<ReferenceOutcome> references,
        IReadOnlyList<SupervisedOutcome> supervised, IReadOnlyList<MechanismOutcome> mechanism) =>
        StudyRuns.All.All(r => runs.Any(o => o.Run == r.Name && o.Seed == seed))
        && references.Any(r => r.Row == StudyRuns.Floor && r.Seed == seed)
        && (seed >= settings.SupervisedSeedCount || supervised.Where(s => s.Seed == seed).Select(s => s.LabelSet).Distinct().Count() == StudyTable.LabelSets(runs, references, supervised).Count)
        && StudyRuns.Distillations.All(r => mechanism.Any(m => m.Run == r.Name && m.Seed == seed));
}
