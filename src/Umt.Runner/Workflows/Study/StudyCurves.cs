namespace Umt.Runner.Workflows.Study;

/// <summary>Accuracy-versus-cost curves of the methods, averaged over seeds.</summary>
public static class StudyCurves
{
    /// <summary>
    /// Linear-probe top-1 of <paramref name="run"/> on <paramref name="labelSet"/>, point by point the
    /// mean over seeds (every seed probes the same steps). A UMT curve starts at the floor (step 0,
    /// 0 s): the floor is the very student every UMT run of that seed starts from. The baseline's
    /// student has another geometry (16 frames, tubelet 2), so its curve starts at its first probe.
    /// </summary>
    public static AccuracyCurve LinearTop1(IReadOnlyList<RunOutcome> runs, IReadOnlyList<ReferenceOutcome> references, string run, string labelSet)
    {
        var seeds = runs.Where(r => r.Run == run).ToList();
        if (seeds.Count == 0)
        {
            throw new ArgumentException($"No run named '{run}' in the results.", nameof(run));
        }
        var points = new List<CurvePoint>();
        if (StudyRuns.Distillations.Any(d => d.Name == run) && references.Any(r => r.Row == StudyRuns.Floor))
        {
            points.Add(new CurvePoint(0, 0, 0, ReferenceLinearTop1(references, StudyRuns.Floor, labelSet).Mean));
        }
        for (int i = 0; i < seeds.Min(s => s.Points.Count); i++)
        {
            points.Add(new CurvePoint(seeds[0].Points[i].Step, seeds.Average(s => s.Points[i].WallSeconds), seeds.Average(s => s.Points[i].CpuSeconds),
                seeds.Average(s => Scores(s.Points[i].Scores, labelSet).LinearTop1)));
        }
        return new AccuracyCurve(points);
    }

    /// <summary>Linear-probe top-1 of a reference row over its seeds.</summary>
    public static MeanSpread ReferenceLinearTop1(IReadOnlyList<ReferenceOutcome> references, string row, string labelSet) =>
        SeedStatistics.Of([.. references.Where(r => r.Row == row).Select(r => Scores(r.Scores, labelSet).LinearTop1)]);

    /// <summary>Mean training loss over seeds, step by step.</summary>
    public static double[] MeanLoss(IReadOnlyList<RunOutcome> runs, string run)
    {
        var seeds = runs.Where(r => r.Run == run).ToList();
        int steps = seeds.Min(s => s.Losses.Count);
        return [.. Enumerable.Range(0, steps).Select(i => seeds.Average(s => s.Losses[i]))];
    }

    public static ProbeScores Scores(IReadOnlyList<ProbeScores> scores, string labelSet) =>
        scores.FirstOrDefault(s => s.LabelSet == labelSet) ?? throw new ArgumentException($"No probe on the label set '{labelSet}'.", nameof(labelSet));
}
