using Umt.Plugins.Datasets.Ava;

namespace Umt.Runner.Workflows.Evaluation.Detection;

/// <summary>
/// AVA's frame-level evaluation (ActivityNet's <c>get_ava_performance.py</c> with its Pascal
/// evaluator): each key frame is an image, each (box, action) row an object of that class; a
/// detection is a true positive when the ground-truth box of its class it overlaps most has
/// IoU ≥ 0.5 and no higher-scored detection took that box; AP per class over all key frames and
/// the mean over the classes with ground truth.
/// </summary>
public static class AvaFrameEvaluation
{
    /// <summary>The official evaluation keeps at most this many detections per key frame, the highest-scored.</summary>
    public const int DetectionsPerKeyFrame = 50;

    public const double IouThreshold = 0.5;

    public static DetectionResult Evaluate(IReadOnlyList<AvaLabel> labels, IReadOnlyList<AvaBox> groundTruth, IReadOnlyList<AvaBox> detections, IReadOnlySet<AvaKeyFrame> excluded)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(groundTruth);
        ArgumentNullException.ThrowIfNull(detections);
        ArgumentNullException.ThrowIfNull(excluded);
        // Only the label map's classes count (the 60-class subset of the challenge drops the other 20 on both sides).
        var classes = labels.Select(l => l.Id).ToHashSet();
        int outside = groundTruth.Count(b => !classes.Contains(b.ActionId)) + detections.Count(b => !classes.Contains(b.ActionId));
        var truth = AvaKeyFrames.Group(groundTruth.Where(b => classes.Contains(b.ActionId)));
        var found = AvaKeyFrames.Group(detections.Where(b => classes.Contains(b.ActionId)));
        int excludedFrames = truth.Count(g => excluded.Contains(g.Key)) + found.Count(g => excluded.Contains(g.Key));

        var positives = labels.ToDictionary(l => l.Id, _ => 0);
        foreach (var frame in truth.Where(g => !excluded.Contains(g.Key)))
        {
            foreach (AvaBox box in frame)
            {
                positives[box.ActionId]++;
            }
        }

        var scored = labels.ToDictionary(l => l.Id, _ => new List<(double Score, bool TruePositive)>());
        int overCapacity = 0, invalid = 0;
        foreach (var frame in found.Where(g => !excluded.Contains(g.Key)))
        {
            var best = frame.OrderByDescending(b => b.Score).ToArray();
            overCapacity += Math.Max(0, best.Length - DetectionsPerKeyFrame);
            var kept = best.Take(DetectionsPerKeyFrame).ToArray();
            invalid += kept.Count(b => !IsValid(b));
            var frameTruth = truth[frame.Key].ToArray();
            foreach (var perClass in kept.Where(IsValid).GroupBy(b => b.ActionId))
            {
                Match(perClass.ToArray(), frameTruth.Where(t => t.ActionId == perClass.Key).ToArray(), scored[perClass.Key]);
            }
        }

        var perClassAp = labels.Select(l =>
        {
            double ap = AveragePrecision.Compute(scored[l.Id], positives[l.Id]);
            return new ClassAveragePrecision(l.Id, l.Name, double.IsNaN(ap) ? null : ap, positives[l.Id], scored[l.Id].Count, scored[l.Id].Count(d => d.TruePositive));
        }).ToArray();
        var withTruth = perClassAp.Where(c => c.Ap is not null).Select(c => c.Ap!.Value).ToArray();
        return new DetectionResult(IouThreshold, withTruth.Length > 0 ? withTruth.Average() : null, perClassAp,
            truth.Count(g => !excluded.Contains(g.Key)), found.Count(g => !excluded.Contains(g.Key)), excludedFrames, outside, overCapacity, invalid);
    }

    /// <summary>
    /// One key frame and class, detections in descending score: each takes the ground-truth box
    /// it overlaps most (the first on ties, as numpy's argmax); a true positive if that overlap
    /// reaches the threshold and the box is still free. A detection whose best box is taken is a
    /// false positive even if another free box overlaps it enough: the official rule.
    /// </summary>
    private static void Match(AvaBox[] detections, AvaBox[] truth, List<(double Score, bool TruePositive)> scored)
    {
        var taken = new bool[truth.Length];
        foreach (AvaBox detection in detections)
        {
            int best = -1;
            double bestIou = double.NegativeInfinity;
            for (int g = 0; g < truth.Length; g++)
            {
                double iou = Iou(detection, truth[g]);
                if (iou > bestIou)
                {
                    (best, bestIou) = (g, iou);
                }
            }
            bool truePositive = best >= 0 && bestIou >= IouThreshold && !taken[best];
            if (truePositive)
            {
                taken[best] = true;
            }
            scored.Add((detection.Score, truePositive));
        }
    }

    private static bool IsValid(AvaBox b) => b.X1 < b.X2 && b.Y1 < b.Y2;

    /// <summary>Intersection over union of two boxes in normalised coordinates (areas without the +1 of pixel boxes, as the official code).</summary>
    internal static double Iou(AvaBox a, AvaBox b)
    {
        double intersection = Math.Max(0, Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1)) * Math.Max(0, Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1));
        double union = (a.X2 - a.X1) * (a.Y2 - a.Y1) + (b.X2 - b.X1) * (b.Y2 - b.Y1) - intersection;
        return intersection / union;
    }
}
