using System.Globalization;

namespace Umt.Runner.Workflows.Study;

/// <summary>
/// The four questions of issue 6's acceptance, each answered by a sentence built from the numbers,
/// whatever they say: the report states what was measured, not what the paper leads one to expect.
/// </summary>
public static class StudyAnswers
{
    public const string Appearance = "appearance";
    public const string Motion = "motion";

    public static IReadOnlyList<StudyAnswer> From(IReadOnlyList<RunOutcome> runs, IReadOnlyList<ReferenceOutcome> references,
        IReadOnlyList<TableRow> rows, IReadOnlyList<Difference> differences) =>
    [
        new("Does UMT reach the baseline's final appearance-probe accuracy faster, and by what factor of wall time?", Speed(runs, references)),
        new("Does semantic masking beat random and tube on appearance labels, and by more than the seed spread?", Masking(differences, Appearance)),
        new("How do they compare on motion labels?", MotionComparison(rows, differences)),
        new("How close does the student get to the frozen teacher?", Teacher(rows)),
    ];

    private static string Speed(IReadOnlyList<RunOutcome> runs, IReadOnlyList<ReferenceOutcome> references)
    {
        var baseline = StudyCurves.LinearTop1(runs, references, StudyRuns.VideoMae.Name, Appearance).Final;
        var parts = new List<string>();
        double? semanticSeconds = null;
        bool semanticFromStart = false;
        foreach (var run in StudyRuns.Distillations)
        {
            var curve = StudyCurves.LinearTop1(runs, references, run.Name, Appearance);
            double? seconds = curve.SecondsToReach(baseline.Accuracy);
            // The interpolation reads 0 s when the untrained start is already at the target: then the
            // first probe at or above it bounds the time from above, and the factor from below.
            var firstProbe = curve.Points.FirstOrDefault(p => p.Step > 0 && p.Accuracy >= baseline.Accuracy);
            string verdict;
            if (seconds is null)
            {
                verdict = F($"{run.Name} does not reach it (its final {curve.Final.Accuracy:F3} after {curve.Final.WallSeconds:F0} s)");
            }
            else if (seconds == 0 && firstProbe is not null)
            {
                semanticFromStart |= run == StudyRuns.Semantic;
                seconds = firstProbe.WallSeconds;
                verdict = F($"{run.Name} is at or above it from the start (untrained {curve.Points[0].Accuracy:F3}); its first probe, step {firstProbe.Step} after {firstProbe.WallSeconds:F0} s, scores {firstProbe.Accuracy:F3}: at least {baseline.WallSeconds / firstProbe.WallSeconds:F1}× less wall time and {(double)baseline.Step / firstProbe.Step:F1}× fewer steps (its final {curve.Final.Accuracy:F3})");
            }
            else
            {
                double steps = curve.StepsToReach(baseline.Accuracy)!.Value;
                verdict = F($"{run.Name} reaches it after {seconds:F0} s, {baseline.WallSeconds / seconds:F1}× less wall time, and after {steps:F0} steps, {baseline.Step / steps:F1}× fewer (its final {curve.Final.Accuracy:F3})");
            }
            parts.Add(verdict);
            if (run == StudyRuns.Semantic)
            {
                semanticSeconds = seconds;
            }
        }
        string lead = semanticSeconds switch
        {
            { } s when s < baseline.WallSeconds && semanticFromStart => "Yes, but trivially: the baseline ends no higher than the untrained UMT student starts",
            { } s when s < baseline.WallSeconds => "Yes",
            { } => "No, not faster",
            null => "No",
        };
        return F($"{lead}. The baseline (videomae) ends at appearance linear top-1 {baseline.Accuracy:F3} after {baseline.WallSeconds:F0} s of wall time; ")
            + string.Join("; ", parts) + ". Times and steps are means over seeds, interpolated linearly between probed checkpoints (a UMT curve starts at the untrained student, 0 s); wall time moves with other work on the machine, steps do not.";
    }

    private static string Masking(IReadOnlyList<Difference> differences, string labelSet)
    {
        var versusRandom = Find(differences, StudyRuns.Semantic, StudyRuns.Random, labelSet);
        var versusTube = Find(differences, StudyRuns.Semantic, StudyRuns.Tube, labelSet);
        string lead = (Math.Sign(versusRandom.Delta), Math.Sign(versusTube.Delta)) switch
        {
            (1, 1) when versusRandom.ExceedsSpread == true && versusTube.ExceedsSpread == true => "Yes, by more than the seed spread",
            (1, 1) when versusRandom.ExceedsSpread is null || versusTube.ExceedsSpread is null => "It scores higher than both; with one seed there is no spread to judge the differences by",
            (1, 1) => "It scores higher than both, but not by more than the seed spread for both",
            (-1, -1) => "No, it scores below both",
            (0, 0) => "No, it ties with both",
            _ => "Mixed",
        };
        return $"{lead}: {Describe(versusRandom)}; {Describe(versusTube)} (final linear top-1 on {labelSet} labels).";
    }

    private static string MotionComparison(IReadOnlyList<TableRow> rows, IReadOnlyList<Difference> differences)
    {
        var ranked = StudyRuns.All.Select(r => StudyTable.Row(rows, r.Name, Motion)).OfType<TableRow>().OrderByDescending(r => r.LinearTop1.Mean).ToList();
        string ranking = string.Join(" > ", ranked.Select(r => F($"{r.Run} {r.LinearTop1.Mean:F3}")));
        var chance = rows.FirstOrDefault(r => r.Run == StudyRuns.Floor && r.LabelSet == Motion);
        return $"Final motion linear top-1: {ranking}" + (chance is null ? "" : F($" (untrained student {chance.LinearTop1.Mean:F3})")) + "; "
            + string.Join("; ", new[] { (StudyRuns.Semantic, StudyRuns.Random), (StudyRuns.Random, StudyRuns.Tube), (StudyRuns.Semantic, StudyRuns.VideoMae) }
                .Select(p => Describe(Find(differences, p.Item1, p.Item2, Motion)))) + ".";
    }

    private static string Teacher(IReadOnlyList<TableRow> rows)
    {
        var ceiling = rows.FirstOrDefault(r => r.Run == StudyRuns.Ceiling && r.LabelSet == Appearance);
        if (ceiling is null)
        {
            return "The teacher was not probed.";
        }
        var students = StudyRuns.Distillations.Select(r => StudyTable.Row(rows, r.Name, Appearance)).OfType<TableRow>().ToList();
        var best = students.MaxBy(r => r.LinearTop1.Mean)!;
        var semantic = students.First(r => r.Run == StudyRuns.Semantic.Name);
        var motionCeiling = StudyTable.Row(rows, StudyRuns.Ceiling, Motion);
        var motionStudent = StudyTable.Row(rows, StudyRuns.Semantic.Name, Motion);
        return F($"On appearance the frozen teacher's features score linear top-1 {ceiling.LinearTop1.Mean:F3}; umt-semantic reaches {semantic.LinearTop1.Mean:F3} ({Ratio(semantic, ceiling)} of the teacher's), the best UMT student ({best.Run}) {best.LinearTop1.Mean:F3} ({Ratio(best, ceiling)}).")
            + (motionCeiling is null || motionStudent is null ? "" :
                F($" On motion, which the teacher never saw, the teacher scores {motionCeiling.LinearTop1.Mean:F3} and umt-semantic {motionStudent.LinearTop1.Mean:F3}."));
    }

    private static Difference Find(IReadOnlyList<Difference> differences, StudyRun run, StudyRun other, string labelSet) =>
        differences.First(d => d.Run == run.Name && d.Other == other.Name && d.LabelSet == labelSet);

    /// <summary>"a − b = +0.012 (seed spreads add to 0.020: within the spread)".</summary>
    public static string Describe(Difference d) => F($"{d.Run} − {d.Other} = {d.Delta:+0.000;−0.000;0.000} ") + d.ExceedsSpread switch
    {
        null => "(one seed: no spread to compare with)",
        true => F($"(seed spreads add to {d.SpreadSum:F3}: exceeds the spread)"),
        false => F($"(seed spreads add to {d.SpreadSum:F3}: within the spread)"),
    };

    private static string Ratio(TableRow student, TableRow teacher) =>
        teacher.LinearTop1.Mean > 0 ? F($"{student.LinearTop1.Mean / teacher.LinearTop1.Mean:P0}") : "n/a";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
