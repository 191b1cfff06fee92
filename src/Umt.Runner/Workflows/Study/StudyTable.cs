namespace Umt.Runner.Workflows.Study;

/// <summary>The report's tables, computed from the raw outcomes: final accuracies over seeds, the mechanism check, and the differences that matter.</summary>
public static class StudyTable
{
    /// <summary>Label sets in the order the probes report them, over whatever outcomes there are.</summary>
    public static IReadOnlyList<string> LabelSets(IReadOnlyList<RunOutcome> runs, IReadOnlyList<ReferenceOutcome> references, IReadOnlyList<SupervisedOutcome> supervised) =>
        [.. runs.SelectMany(r => r.Points[^1].Scores).Concat(references.SelectMany(r => r.Scores)).Concat(supervised.SelectMany(s => s.Scores))
            .Select(s => s.LabelSet).Distinct()];

    /// <summary>
    /// Every method, then the floor and ceiling, then the supervised references, each on every label
    /// set: final probe accuracies and training costs over seeds.
    /// </summary>
    public static IReadOnlyList<TableRow> Rows(IReadOnlyList<RunOutcome> runs, IReadOnlyList<ReferenceOutcome> references, IReadOnlyList<SupervisedOutcome> supervised)
    {
        var labelSets = LabelSets(runs, references, supervised);
        var rows = new List<TableRow>();
        foreach (string run in runs.Select(r => r.Run).Distinct())
        {
            var seeds = runs.Where(r => r.Run == run).ToList();
            rows.AddRange(labelSets.Select(labelSet => Row(run, labelSet, [.. seeds.Select(s => StudyCurves.Scores(s.Points[^1].Scores, labelSet))],
                [.. seeds.Select(s => s.TrainingSeconds)], [.. seeds.Select(s => s.CpuSeconds)], [.. seeds.Select(s => s.SecondsPerStep)])));
        }
        foreach (string row in new[] { StudyRuns.Floor, StudyRuns.Ceiling }.Where(row => references.Any(r => r.Row == row)))
        {
            var seeds = references.Where(r => r.Row == row).ToList();
            double[] untrained = [.. seeds.Select(_ => 0.0)];
            rows.AddRange(labelSets.Select(labelSet => Row(row, labelSet, [.. seeds.Select(s => StudyCurves.Scores(s.Scores, labelSet))], untrained, untrained, untrained)));
        }
        foreach (string row in supervised.Select(s => s.Row).Distinct())
        {
            var seeds = supervised.Where(s => s.Row == row).ToList();
            rows.AddRange(labelSets.Select(labelSet => Row(row, labelSet, [.. seeds.Select(s => StudyCurves.Scores(s.Scores, labelSet))],
                [.. seeds.Select(s => s.TrainingSeconds)], [.. seeds.Select(s => s.CpuSeconds)], [.. seeds.Select(s => s.TrainingSeconds / s.Steps)])));
        }
        return rows;
    }

    private static TableRow Row(string run, string labelSet, IReadOnlyList<ProbeScores> finals, double[] wall, double[] cpu, double[] perStep) =>
        new(run, labelSet, SeedStatistics.Of([.. finals.Select(f => f.LinearTop1)]), SeedStatistics.Of([.. finals.Select(f => f.KnnTop1)]),
            SeedStatistics.Of(wall), SeedStatistics.Of(cpu), SeedStatistics.Of(perStep));

    /// <summary>Enrichment of visible tokens in the object's box per masking, over seeds.</summary>
    public static IReadOnlyList<MechanismRow> Mechanism(IReadOnlyList<MechanismOutcome> outcomes) =>
        [.. outcomes.GroupBy(o => (o.Run, o.Masking))
            .Select(g => new MechanismRow(g.Key.Run, g.Key.Masking, SeedStatistics.Of([.. g.Select(o => o.Enrichment)]), g.Min(o => o.Clips)))];

    /// <summary>
    /// Final linear-probe differences on every label set between semantic masking and the other
    /// maskings, between random and tube, between each UMT masking and the baseline, between the
    /// baseline and the floor (has it learnt?), and between umt-semantic and the label set's
    /// supervised reference; pairs not yet measured are left out.
    /// </summary>
    public static IReadOnlyList<Difference> Differences(IReadOnlyList<TableRow> rows)
    {
        var differences = new List<Difference>();
        foreach (string labelSet in rows.Select(r => r.LabelSet).Distinct())
        {
            (string Run, string Other)[] pairs =
            [
                (StudyRuns.Semantic.Name, StudyRuns.Random.Name), (StudyRuns.Semantic.Name, StudyRuns.Tube.Name), (StudyRuns.Random.Name, StudyRuns.Tube.Name),
                (StudyRuns.Semantic.Name, StudyRuns.VideoMae.Name), (StudyRuns.Random.Name, StudyRuns.VideoMae.Name), (StudyRuns.Tube.Name, StudyRuns.VideoMae.Name),
                (StudyRuns.VideoMae.Name, StudyRuns.Floor), (StudyRuns.Semantic.Name, StudyRuns.Supervised(labelSet)),
            ];
            foreach (var (run, other) in pairs)
            {
                if (Row(rows, run, labelSet) is not { } a || Row(rows, other, labelSet) is not { } b)
                {
                    continue;
                }
                differences.Add(SeedStatistics.Compare(run, a.LinearTop1, other, b.LinearTop1, labelSet));
            }
        }
        return differences;
    }

    public static TableRow? Row(IReadOnlyList<TableRow> rows, string run, string labelSet) =>
        rows.FirstOrDefault(r => r.Run == run && r.LabelSet == labelSet);
}
