using System.Globalization;
using Microsoft.Extensions.Configuration;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Distributed;
using Umt.Runner.Engine.Logging;
using Umt.Runner.Engine.Training;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt train [--resume]</c>: trains the configured run and prints a summary with the output paths.
/// Under a launcher with <c>Umt:Distributed:Backend = mpi</c> every process runs this; rank 0 logs
/// and prints, the others log warnings and errors only, tagged with their rank.
/// </summary>
public static class TrainCommand
{
    public static int Run(RunPlan plan, IConfiguration configuration, bool resume, long? stopAfter, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        using var collectives = DistributedBackend.Start(plan);
        return DistributedBackend.RunOrAbort(collectives, error, () =>
        {
            bool main = collectives.Rank == 0;
            bool interactive = main && !Console.IsOutputRedirected;
            using var log = main
                ? SerilogSetup.Create(configuration, plan.OutputDirectory, metricsOnConsole: !interactive)
                : SerilogSetup.CreateForWorker(configuration, collectives.Rank);
            foreach (string warning in main ? plan.Warnings : [])
            {
                log.Warning("{Warning}", warning);
            }
            var result = new Trainer(plan, log, collectives).Run(resume, interactive, stopAfter, cancel);
            if (main)
            {
                output.WriteLine(Summary(result));
            }
            return cancel.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Success;
        });
    }

    public static string Summary(TrainingResult result)
    {
        int n = result.Losses.Count;
        int window = Math.Min(10, Math.Max(1, n / 2));
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

    /// <summary>A path relative to the current folder when it lies inside it, else absolute.</summary>
    private static string Show(string path)
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? Path.GetFullPath(path) : relative;
    }
}
