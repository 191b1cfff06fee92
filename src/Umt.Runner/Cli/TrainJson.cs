using Umt.Runner.Engine.Logging;
using Umt.Runner.Engine.Training;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt train --json</c>: the summary's numbers and paths as one object (README: JSON output).
/// Loss means are null where the run did no step (JSON has no NaN).
/// </summary>
/// <param name="LossFirst">Mean loss of the first <see cref="LossWindow"/> steps of this invocation.</param>
/// <param name="LossLast">Mean loss of the last <see cref="LossWindow"/> steps.</param>
public sealed record TrainJson(
    string RunDirectory, long StartStep, long EndStep, long TotalSteps, bool Interrupted, double ElapsedSeconds, double SecondsPerStep,
    int LossWindow, double? LossFirst, double? LossLast, int Skipped, IReadOnlyDictionary<string, int> SkippedByReason,
    string? Checkpoint, string Log, string Config, string Tensorboard)
{
    public static TrainJson From(TrainingResult result)
    {
        int n = result.Losses.Count, window = TrainingSummary.LossWindow(result);
        static double? Finite(double value) => double.IsFinite(value) ? value : null;
        return new TrainJson(result.RunDirectory, result.StartStep, result.EndStep, result.TotalSteps, result.Interrupted, result.Elapsed.TotalSeconds,
            result.SecondsPerStep, window, Finite(result.MeanLoss(0, window)), Finite(result.MeanLoss(n - window, n)), result.Skipped,
            result.SkippedByReason.ToDictionary(kv => kv.Key, kv => kv.Value), result.Checkpoint,
            Path.Combine(result.RunDirectory, SerilogSetup.LogFileName), Path.Combine(result.RunDirectory, Trainer.ResolvedConfigFile),
            Path.Combine(result.RunDirectory, "tensorboard"));
    }
}
