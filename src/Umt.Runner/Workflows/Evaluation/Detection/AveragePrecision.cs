namespace Umt.Runner.Workflows.Evaluation.Detection;

/// <summary>
/// The area under the interpolated precision/recall curve, as the official AVA evaluation's
/// <c>metrics.compute_average_precision</c> computes it (VOC 2010+: every distinct recall, not
/// the 11 points of VOC 2007): precision made monotone from the right, summed over recall steps.
/// </summary>
public static class AveragePrecision
{
    /// <summary>
    /// AP of one class from its scored detections (true positive or not) and its number of
    /// ground-truth boxes; NaN without ground truth (the official code leaves such classes out of
    /// the mean). Detections are ranked by descending score, ties in the order given: the official
    /// code's order among ties is whatever numpy's unstable argsort makes of them.
    /// </summary>
    public static double Compute(IReadOnlyList<(double Score, bool TruePositive)> detections, int positives)
    {
        ArgumentNullException.ThrowIfNull(detections);
        if (positives <= 0)
        {
            return double.NaN;
        }
        var ranked = detections.OrderByDescending(d => d.Score).ToArray(); // OrderBy is stable
        // Recall and precision after each ranked detection, framed by (0, 0) and (1, 0) as the official code does.
        var recall = new double[ranked.Length + 2];
        var precision = new double[ranked.Length + 2];
        int truePositives = 0;
        for (int i = 0; i < ranked.Length; i++)
        {
            truePositives += ranked[i].TruePositive ? 1 : 0;
            recall[i + 1] = (double)truePositives / positives;
            precision[i + 1] = (double)truePositives / (i + 1);
        }
        recall[^1] = 1.0;
        for (int i = precision.Length - 2; i >= 0; i--)
        {
            precision[i] = Math.Max(precision[i], precision[i + 1]);
        }
        double area = 0;
        for (int i = 1; i < recall.Length; i++)
        {
            area += recall[i] != recall[i - 1] ? (recall[i] - recall[i - 1]) * precision[i] : 0;
        }
        return area;
    }
}
