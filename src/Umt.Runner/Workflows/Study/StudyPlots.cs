using ScottPlot;

namespace Umt.Runner.Workflows.Study;

/// <summary>The report's figures (ScottPlot, PNG): linear-probe accuracy versus CPU time per label set, and training loss versus step.</summary>
public static class StudyPlots
{
    private const int Width = 900;
    private const int Height = 560;

    /// <summary>Writes every figure into <paramref name="folder"/>; returns (caption, file name) pairs in report order.</summary>
    public static IReadOnlyList<(string Caption, string File)> Write(StudyResults results, string folder)
    {
        var figures = new List<(string, string)>();
        foreach (string labelSet in StudyTable.LabelSets(results.Runs, results.References, results.Supervised))
        {
            string file = $"accuracy-{labelSet}.png";
            Accuracy(results, labelSet).SavePng(Path.Combine(folder, file), Width, Height);
            figures.Add(($"Linear-probe top-1 on {labelSet} labels versus training CPU time (mean over seeds); dashed: the reference rows' final accuracies", file));
        }
        Loss(results).SavePng(Path.Combine(folder, "loss.png"), Width, Height);
        figures.Add(("Training loss versus step (mean over seeds, moving average; videomae's pixel MSE and UMT's alignment loss are different losses, not comparable in value)", "loss.png"));
        return figures;
    }

    private static Plot Accuracy(StudyResults results, string labelSet)
    {
        var plot = new Plot();
        foreach (var run in StudyRuns.All.Where(r => results.Runs.Any(o => o.Run == r.Name)))
        {
            var curve = StudyCurves.LinearTop1(results.Runs, results.References, run.Name, labelSet);
            var line = plot.Add.Scatter(curve.Points.Select(p => p.CpuSeconds).ToArray(), curve.Points.Select(p => p.Accuracy).ToArray());
            line.LegendText = run.Name;
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }
        foreach (var row in results.Table.Where(r => r.LabelSet == labelSet && StudyRuns.All.All(run => run.Name != r.Run)))
        {
            var level = plot.Add.HorizontalLine(row.LinearTop1.Mean);
            level.LegendText = row.Run;
            level.LinePattern = LinePattern.Dashed;
        }
        plot.Title($"{labelSet}: linear probe on frozen features");
        plot.XLabel("process CPU time since the start of training (s)");
        plot.YLabel("held-out top-1");
        plot.Axes.SetLimitsY(0, 1);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot Loss(StudyResults results)
    {
        var plot = new Plot();
        foreach (var run in StudyRuns.All.Where(r => results.Runs.Any(o => o.Run == r.Name)))
        {
            double[] loss = MovingAverage(StudyCurves.MeanLoss(results.Runs, run.Name), Math.Max(1, results.Settings.Steps / 20));
            var line = plot.Add.Scatter(Enumerable.Range(1, loss.Length).Select(s => (double)s).ToArray(), loss);
            line.LegendText = run.Name;
            line.MarkerSize = 0;
            line.LineWidth = 2;
        }
        plot.Title("training loss (mean over seeds)");
        plot.XLabel("step");
        plot.YLabel("total loss");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>Trailing mean over up to <paramref name="window"/> steps, so the curve starts at step 1.</summary>
    public static double[] MovingAverage(IReadOnlyList<double> values, int window) =>
        [.. values.Select((_, i) => values.Skip(Math.Max(0, i - window + 1)).Take(Math.Min(window, i + 1)).Average())];
}
