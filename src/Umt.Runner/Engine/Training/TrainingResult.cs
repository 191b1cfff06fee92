namespace Umt.Runner.Engine.Training;

/// <summary>What a finished (or interrupted) training run reports.</summary>
/// <param name="Losses">Total loss of every step of the run, including earlier sittings.</param>
/// <param name="SkippedByReason">Unreadable samples skipped, per reason, including earlier sittings.</param>
public sealed record TrainingResult(
    string RunDirectory,
    long StartStep,
    long EndStep,
    long TotalSteps,
    TimeSpan Elapsed,
    IReadOnlyList<double> Losses,
    string? Checkpoint,
    bool Interrupted,
    IReadOnlyList<KeyValuePair<string, int>> SkippedByReason)
{
    /// <summary>Unreadable samples skipped (and replaced) over the whole run.</summary>
    public int Skipped => SkippedByReason.Sum(kv => kv.Value);

    public double SecondsPerStep => EndStep > StartStep ? Elapsed.TotalSeconds / (EndStep - StartStep) : 0;

    /// <summary>Mean total loss over steps [from, to) (0-based), or NaN when the range is empty.</summary>
    public double MeanLoss(int from, int to)
    {
        var window = Losses.Skip(from).Take(Math.Max(0, to - from)).ToArray();
        return window.Length == 0 ? double.NaN : window.Average();
    }
}
