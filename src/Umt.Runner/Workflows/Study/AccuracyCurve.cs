namespace Umt.Runner.Workflows.Study;

/// <summary>A probe accuracy at a moment of pretraining.</summary>
/// <param name="WallSeconds">Wall time since training started (setup, steps and checkpoint writes).</param>
/// <param name="CpuSeconds">Process CPU seconds (user + sys) of the training up to this point.</param>
public sealed record CurvePoint(long Step, double WallSeconds, double CpuSeconds, double Accuracy);

/// <summary>Accuracy versus training cost (steps, CPU and wall time) of one method, points in training order.</summary>
public sealed record AccuracyCurve(IReadOnlyList<CurvePoint> Points)
{
    /// <summary>
    /// The first wall time at which the curve reaches <paramref name="target"/>, interpolated linearly
    /// between the last point below it and the first point at or above it (the probes between
    /// checkpoints are not measured, so a straight line is the least-assuming reading); the first
    /// point's time when it already reaches the target; null when no point does.
    /// </summary>
    public double? SecondsToReach(double target) => Reach(target, p => p.WallSeconds);

    /// <summary>As <see cref="SecondsToReach"/>, in process CPU seconds: the cost of the run, which other work on the machine moves far less than wall time.</summary>
    public double? CpuSecondsToReach(double target) => Reach(target, p => p.CpuSeconds);

    /// <summary>As <see cref="SecondsToReach"/>, in optimizer steps: unlike wall time, not moved by other work on the machine.</summary>
    public double? StepsToReach(double target) => Reach(target, p => p.Step);

    private double? Reach(double target, Func<CurvePoint, double> axis)
    {
        for (int i = 0; i < Points.Count; i++)
        {
            var point = Points[i];
            if (point.Accuracy < target)
            {
                continue;
            }
            if (i == 0)
            {
                return axis(point);
            }
            var before = Points[i - 1];
            double fraction = (target - before.Accuracy) / (point.Accuracy - before.Accuracy);
            return axis(before) + fraction * (axis(point) - axis(before));
        }
        return null;
    }

    /// <summary>The last point (the end of training).</summary>
    public CurvePoint Final => Points[^1];
}
