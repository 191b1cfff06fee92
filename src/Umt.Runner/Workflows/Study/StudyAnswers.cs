using System.Globalization;

namespace Umt.Runner.Workflows.Study;

/// <summary>
/// The study's questions (issue 6's acceptance and issue 20's), each answered by a sentence built
/// from the numbers, whatever they say: the report states what was measured, not what the paper
/// leads one to expect. A question whose numbers are not measured yet (a study still running) says so.
/// </summary>
public static class StudyAnswers
{
    public const string Appearance = "appearance";
    public const string Motion = "motion";

    private const string NotYet = "Not measured yet: the study has not got that far.";

    public static IReadOnlyList<StudyAnswer> From(IReadOnlyList<RunOutcome> runs, IReadOnlyList<ReferenceOutcome> references,
        IReadOnlyList<SupervisedOutcome> supervised, IReadOnlyList<TableRow> rows, IReadOnlyList<Difference> differences, IReadOnlyList<MethodCost> costs)
    {
        bool methods = StudyRuns.All.All(r => runs.Any(o => o.Run == r.Name)) && references.Any(r => r.Row == StudyRuns.Floor);
        return
        [
            new("Has the baseline learnt: does videomae's final probe beat the untrained floor by more than the seed spread?", methods ? BaselineLearnt(differences) : NotYet),
            new("Does UMT reach the baseline's final appearance-probe accuracy faster, and by what factor of CPU time (steps, FLOPs and wall time beside)?",
                methods ? Speed(runs, references, differences, costs) : NotYet),
            new("Does the supervised reference reach the baseline's final appearance-probe accuracy, and for what CPU time?",
                methods && supervised.Any(s => s.LabelSet == Appearance) ? SupervisedSpeed(runs, references, supervised) : NotYet),
            new("Does semantic masking beat random and tube on appearance labels, and by more than the seed spread?", methods ? Masking(differences, Appearance) : NotYet),
            new("How do they compare on motion labels, and is motion learnable at this size and budget?", methods ? MotionComparison(rows, differences) : NotYet),
            new("Where does UMT's student end relative to the frozen teacher and to the supervised reference?", methods ? Teacher(rows, differences) : NotYet),
        ];
    }

    private static string BaselineLearnt(IReadOnlyList<Difference> differences)
    {
        var versusFloor = differences.Where(d => d.Run == StudyRuns.VideoMae.Name && d.Other == StudyRuns.Floor).ToList();
        var learnt = versusFloor.Where(d => d.Delta > 0 && d.ExceedsSpread == true).Select(d => d.LabelSet).ToList();
        string lead = learnt.Count > 0
            ? $"Yes, on {string.Join(" and ", learnt)} labels"
            : versusFloor.Any(d => d.ExceedsSpread is null) ? "Not judged: with one seed there is no spread" : "No: on no label set does it beat the floor by more than the spread, so every factor against its final accuracy is measured against an untrained baseline";
        return $"{lead}. " + string.Join("; ", versusFloor.Select(d => $"{Describe(d)} on {d.LabelSet}")) + ".";
    }

    private static string Speed(IReadOnlyList<RunOutcome> runs, IReadOnlyList<ReferenceOutcome> references, IReadOnlyList<Difference> differences, IReadOnlyList<MethodCost> costs)
    {
        var baseline = StudyCurves.LinearTop1(runs, references, StudyRuns.VideoMae.Name, Appearance).Final;
        double? baselineFlops = Flops(costs, StudyRuns.VideoMae.Name, baseline.Step);
        var parts = new List<string>();
        double? semanticCpu = null;
        bool semanticFromStart = false;
        foreach (var run in StudyRuns.Distillations)
        {
            var curve = StudyCurves.LinearTop1(runs, references, run.Name, Appearance);
            double? cpu = curve.CpuSecondsToReach(baseline.Accuracy);
            // The interpolation reads 0 s when the untrained start is already at the target: then the
            // first probe at or above it bounds the cost from above, and the factor from below.
            var firstProbe = curve.Points.FirstOrDefault(p => p.Step > 0 && p.Accuracy >= baseline.Accuracy);
            string verdict;
            if (cpu is null)
            {
                verdict = F($"{run.Name} does not reach it (its final {curve.Final.Accuracy:F3} after {curve.Final.CpuSeconds:F0} s CPU)");
            }
            else if (cpu == 0 && firstProbe is not null)
            {
                semanticFromStart |= run == StudyRuns.Semantic;
                cpu = firstProbe.CpuSeconds;
                verdict = F($"{run.Name} is at or above it from the start (untrained {curve.Points[0].Accuracy:F3}); its first probe, step {firstProbe.Step}, scores {firstProbe.Accuracy:F3}: at least {baseline.CpuSeconds / firstProbe.CpuSeconds:F1}× less CPU time ({firstProbe.CpuSeconds:F0} s), {(double)baseline.Step / firstProbe.Step:F1}× fewer steps{FlopsFactor(baselineFlops, costs, run.Name, firstProbe.Step)}, {baseline.WallSeconds / firstProbe.WallSeconds:F1}× less wall time (its final {curve.Final.Accuracy:F3})");
            }
            else
            {
                double steps = curve.StepsToReach(baseline.Accuracy)!.Value;
                double wall = curve.SecondsToReach(baseline.Accuracy)!.Value;
                verdict = F($"{run.Name} reaches it after {cpu:F0} s CPU, {baseline.CpuSeconds / cpu:F1}× less CPU time, after {steps:F0} steps, {baseline.Step / steps:F1}× fewer{FlopsFactor(baselineFlops, costs, run.Name, steps)}, and after {wall:F0} s wall, {baseline.WallSeconds / wall:F1}× less (its final {curve.Final.Accuracy:F3})");
            }
            parts.Add(verdict);
            if (run == StudyRuns.Semantic)
            {
                semanticCpu = cpu;
            }
        }
        bool baselineLearnt = differences.Any(d => d.Run == StudyRuns.VideoMae.Name && d.Other == StudyRuns.Floor && d.LabelSet == Appearance && d.Delta > 0 && d.ExceedsSpread == true);
        string lead = semanticCpu switch
        {
            { } s when s < baseline.CpuSeconds && semanticFromStart => "Yes, but trivially: the baseline ends no higher than the untrained UMT student starts",
            { } s when s < baseline.CpuSeconds && !baselineLearnt => "Yes, but against a baseline that has not learnt appearance (first answer)",
            { } s when s < baseline.CpuSeconds => "Yes",
            { } => "No, not faster",
            null => "No",
        };
        return F($"{lead}. The baseline (videomae) ends at appearance linear top-1 {baseline.Accuracy:F3} after {baseline.Step} steps, {baseline.CpuSeconds:F0} s of CPU time and {baseline.WallSeconds:F0} s of wall time; ")
            + string.Join("; ", parts) + ". Costs are means over seeds, interpolated linearly between probed checkpoints (a UMT curve starts at the untrained student, 0 s); CPU time is the process's user + sys seconds, which neighbours on the machine move far less than wall time.";
    }

    /// <summary>The supervised reference has no curve, only its end: whether it ends at or above the target bounds its cost to reach it from above.</summary>
    private static string SupervisedSpeed(IReadOnlyList<RunOutcome> runs, IReadOnlyList<ReferenceOutcome> references, IReadOnlyList<SupervisedOutcome> supervised)
    {
        var baseline = StudyCurves.LinearTop1(runs, references, StudyRuns.VideoMae.Name, Appearance).Final;
        var seeds = supervised.Where(s => s.LabelSet == Appearance).ToList();
        double accuracy = seeds.Average(s => StudyCurves.Scores(s.Scores, Appearance).LinearTop1);
        double cpu = seeds.Average(s => s.CpuSeconds);
        double head = seeds.Average(s => s.HeadTop1);
        string row = StudyRuns.Supervised(Appearance);
        return accuracy >= baseline.Accuracy
            ? F($"Yes: {row} ends at linear top-1 {accuracy:F3} (its own head {head:F3}) after {cpu:F0} s CPU, at most that to reach the baseline's {baseline.Accuracy:F3}: at least {baseline.CpuSeconds / cpu:F1}× less CPU time than the baseline's {baseline.CpuSeconds:F0} s (it is probed at its end only).")
            : F($"No: {row} ends at linear top-1 {accuracy:F3} (its own head {head:F3}) after {cpu:F0} s CPU, below the baseline's {baseline.Accuracy:F3}.");
    }

    private static string Masking(IReadOnlyList<Difference> differences, string labelSet)
    {
        var versusRandom = Find(differences, StudyRuns.Semantic.Name, StudyRuns.Random.Name, labelSet);
        var versusTube = Find(differences, StudyRuns.Semantic.Name, StudyRuns.Tube.Name, labelSet);
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
        var chance = StudyTable.Row(rows, StudyRuns.Floor, Motion);
        var pairs = new[] { (StudyRuns.Semantic.Name, StudyRuns.Random.Name), (StudyRuns.Random.Name, StudyRuns.Tube.Name), (StudyRuns.Semantic.Name, StudyRuns.VideoMae.Name) };
        string text = $"Final motion linear top-1: {ranking}" + (chance is null ? "" : F($" (untrained student {chance.LinearTop1.Mean:F3})")) + "; "
            + string.Join("; ", pairs.Select(p => Describe(Find(differences, p.Item1, p.Item2, Motion)))) + ".";
        if (StudyTable.Row(rows, StudyRuns.Supervised(Motion), Motion) is { } supervised && chance is not null)
        {
            var learnable = SeedStatistics.Compare(supervised.Run, supervised.LinearTop1, StudyRuns.Floor, chance.LinearTop1, Motion);
            string verdict = learnable.ExceedsSpread switch
            {
                true when learnable.Delta > 0 => "motion is learnable at this size and budget with labels",
                null => "with one seed there is no spread to judge whether motion is learnable",
                _ => "even with labels the student does not learn motion at this size and budget",
            };
            text += $" Trained on the motion labels themselves, {verdict}: {Describe(learnable)}.";
        }
        return text;
    }

    private static string Teacher(IReadOnlyList<TableRow> rows, IReadOnlyList<Difference> differences)
    {
        var ceiling = StudyTable.Row(rows, StudyRuns.Ceiling, Appearance);
        var students = StudyRuns.Distillations.Select(r => StudyTable.Row(rows, r.Name, Appearance)).OfType<TableRow>().ToList();
        var best = students.MaxBy(r => r.LinearTop1.Mean)!;
        var semantic = students.First(r => r.Run == StudyRuns.Semantic.Name);
        string text = ceiling is null
            ? "The teacher was not probed."
            : F($"On appearance the frozen teacher's features score linear top-1 {ceiling.LinearTop1.Mean:F3}; umt-semantic reaches {semantic.LinearTop1.Mean:F3} ({Ratio(semantic, ceiling)} of the teacher's), the best UMT student ({best.Run}) {best.LinearTop1.Mean:F3} ({Ratio(best, ceiling)}).");
        var motionCeiling = StudyTable.Row(rows, StudyRuns.Ceiling, Motion);
        var motionStudent = StudyTable.Row(rows, StudyRuns.Semantic.Name, Motion);
        if (motionCeiling is not null && motionStudent is not null)
        {
            text += F($" On motion, which the teacher never saw, the teacher scores {motionCeiling.LinearTop1.Mean:F3} and umt-semantic {motionStudent.LinearTop1.Mean:F3}.");
        }
        var versusSupervised = differences.Where(d => d.Run == StudyRuns.Semantic.Name && d.Other == StudyRuns.Supervised(d.LabelSet)).ToList();
        if (versusSupervised.Count > 0)
        {
            text += " Against the supervised reference of each label set: " + string.Join("; ", versusSupervised.Select(d => $"{Describe(d)} on {d.LabelSet}")) + ".";
        }
        return text;
    }

    /// <summary>FLOPs of <paramref name="steps"/> steps of <paramref name="method"/>, or null when its cost was not counted.</summary>
    private static double? Flops(IReadOnlyList<MethodCost> costs, string method, double steps) =>
        costs.FirstOrDefault(c => c.Method == method) is { } cost ? cost.FlopsPerStep * steps : null;

    private static string FlopsFactor(double? baselineFlops, IReadOnlyList<MethodCost> costs, string method, double steps) =>
        baselineFlops is { } b && Flops(costs, method, steps) is { } f && f > 0 ? F($", {b / f:F1}× fewer FLOPs ({f / 1e12:F2} TFLOPs against {b / 1e12:F2})") : "";

    private static Difference Find(IReadOnlyList<Difference> differences, string run, string other, string labelSet) =>
        differences.First(d => d.Run == run && d.Other == other && d.LabelSet == labelSet);

    /// <summary>"a − b = +0.012 (seed spreads add to 0.020: within the spread)".</summary>
    public static string Describe(Difference d) => F($"{d.Run} − {d.Other} = {d.Delta:+0.000;−0.000;0.000} ") + d.ExceedsSpread switch
    {
        null => "(one seed on each side: no spread to compare with)",
        true => F($"(seed spreads add to {d.SpreadSum:F3}{Borrowed(d)}: exceeds the spread)"),
        false => F($"(seed spreads add to {d.SpreadSum:F3}{Borrowed(d)}: within the spread)"),
    };

    private static string Borrowed(Difference d) => d.SpreadBorrowed ? ", the one-seed side's taken as the other's" : "";

    private static string Ratio(TableRow student, TableRow teacher) =>
        teacher.LinearTop1.Mean > 0 ? F($"{student.LinearTop1.Mean / teacher.LinearTop1.Mean:P0}") : "n/a";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
