using System.Globalization;
using Umt.Runner.Engine.Logging;

namespace Umt.Runner.Engine.Training;

/// <summary>The summary printed at the end of a training run (pre-training and retrieval fine-tuning).</summary>
public static class TrainingSummary
{
    /// <summary>What a run did, where its checkpoint, log, resolved configuration and TensorBoard folder are: the last lines <c>umt train</c> prints.</summary>
    public static string Format(TrainingResult result)
    {
        int n = result.Losses.Count;
        int window = LossWindow(result);
        string run = Show(result.RunDirectory);
        return string.Create(CultureInfo.InvariantCulture, $"""

            {(result.Interrupted ? "Stopped early" : "Finished")}: steps {result.StartStep} → {result.EndStep} of {result.TotalSteps} in {result.Elapsed:h\:mm\:ss} ({result.SecondsPerStep:F3} s/step)
              loss      {result.MeanLoss(0, window):F4} (mean of the first {window} steps) → {result.MeanLoss(n - window, n):F4} (mean of the last {window})
              skipped   {result.Skipped} unreadable samples{(result.Skipped == 0 ? "" : $" ({string.Join(", ", result.SkippedByReason.Select(kv => $"{kv.Key} ×{kv.Value}"))}; each logged in the log below)")}
              checkpoint {(result.Checkpoint is null ? "none" : Show(result.Checkpoint))}{(result.Interrupted ? "  (continue with: ./umt train --resume, same --config/--set)" : "")}
              log        {Path.Combine(run, SerilogSetup.LogFileName)}
              config     {Path.Combine(run, Trainer.ResolvedConfigFile)}
              tensorboard tensorboard --logdir {Path.Combine(run, "tensorboard")}
            """);
    }

    /// <summary>Steps averaged at each end of the loss curve for the summary: up to 10, at most half the run.</summary>
    public static int LossWindow(TrainingResult result) => Math.Min(10, Math.Max(1, result.Losses.Count / 2));

    /// <summary>A path relative to the current folder when it lies inside it, else absolute.</summary>
    private static string Show(string path)
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? Path.GetFullPath(path) : relative;
    }
}
