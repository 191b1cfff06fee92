namespace Umt.Runner.Workflows.Study;

/// <summary>The report's tables, computed from the raw outcomes: final accuracies over seeds, the mechanism check, and the differences that matter.</summary>
public static class StudyTable
{
    /// <summary>Label sets in the order the probes report them.</summary>
    public static IReadOnlyList<string> LabelSets(IReadOnlyList<RunOutcome> runs) =>
        [.. runs.SelectMany(r => r.Points[^1].Scores.Select(s => s.LabelSet)).Distinct()];

    /// <summary>Every method then every reference row, each on every label set: final probe accuracies and wall time over seeds.</summary>
    public static IReadOnlyList<TableRow> Rows(IReadOnlyList<RunOutcome> runs, IReadOnlyList<ReferenceOutcome> references)
    {
        var rows = new List<TableRow>();
        foreach (string run in runs.Select(r => r.Run).Distinct())
        {
            var seeds = runs.Where(r => r.Run == run).ToList();
            foreach (string labelSet in LabelSets(runs))
            {
                var finals = seeds.Select(s => StudyCurves.Scores(s.Points[^1].Scores, labelSet)).ToList();
                rows.Add(new TableRow(run, labelSet,
                    SeedStatistics.Of([.. finals.Select(f => f.LinearTop1)]),
                    SeedStatistics.Of([.. finals.Select(f => f.KnnTop1)]),
                    SeedStatistics.Of([.. seeds.Select(s => s.Points[^1].WallSeconds)]),
                    SeedStatistics.Of([.. seeds.Select(s => s.SecondsPerStep)])));
            }
        }
        foreach (string row in new[] { StudyRuns.Floor, StudyRuns.Ceiling }.Where(row => references.Any(r => r.Row == row)))
        {
            var seeds = references.Where(r => r.Row == row).ToList();
            var untrained = SeedStatistics.Of([.. seeds.Select(_ => 0.0)]);
            foreach (string labelSet in LabelSets(runs))
            {
                var scores = seeds.Select(s => StudyCurves.Scores(s.Scores, labelSet)).ToList();
                rows.Add(new TableRow(row, labelSet,
                    SeedStatistics.Of([.. scores.Select(f => f.LinearTop1)]),
                    SeedStatistics.Of([.. scores.Select(f => f.KnnTop1)]),
                    untrained, untrained));
            }
        }
        return rows;
    }

    /// <summary>Enrichment of visible tokens in the object's box per masking, over seeds.</summary>
    public static IReadOnlyList<MechanismRow> Mechanism(IReadOnlyList<MechanismOutcome> outcomes) =>
        [.. outcomes.GroupBy(o => (o.Run, o.Masking))
            .Select(g => new MechanismRow(g.Key.Run, g.Key.Masking, SeedStatistics.Of([.. g.Select(o => o.Enrichment)]), g.Min(o => o.Clips)))];

    /// <summary>
    /// Final linear-probe differences on every label set between semantic masking and the other
    /// maskings, between random and tube, and between each UMT masking and the baseline.
    /// </summary>
    public static IReadOnlyList<Difference> Differences(IReadOnlyList<TableRow> rows)
    {
        (StudyRun Run, StudyRun Other)[] pairs =
        [
            (StudyRuns.Semantic, StudyRuns.Random), (StudyRuns.Semantic, StudyRuns.Tube), (StudyRuns.Random, StudyRuns.Tube),
            (StudyRuns.Semantic, StudyRuns.VideoMae), (StudyRuns.Random, StudyRuns.VideoMae), (StudyRuns.Tube, StudyRuns.VideoMae),
        ];
        var differences = new List<Difference>();
        foreach (string labelSet in rows.Select(r => r.LabelSet).Distinct())
        {
            foreach (var (run, other) in pairs)
            {
                if (Row(rows, run.Name, labelSet) is not { } a || Row(rows, other.Name, labelSet) is not { } b)
                {
                    continue;
                }
                double? spreadSum = a.LinearTop1.Spread + b.LinearTop1.Spread;
                differences.Add(new Difference(run.Name, other.Name, labelSet, a.LinearTop1.Mean - b.LinearTop1.Mean, spreadSum,
                    SeedStatistics.ExceedsSpread(a.LinearTop1, b.LinearTop1)));
            }
        }
        return differences;
    }

    public static TableRow? Row(IReadOnlyList<TableRow> rows, string run, string labelSet) =>
        rows.FirstOrDefault(r => r.Run == run && r.LabelSet == labelSet);
}
