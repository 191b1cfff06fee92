using Microsoft.Extensions.Configuration;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Distributed;
using Umt.Runner.Engine.Logging;
using Umt.Runner.Engine.Training;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt train [--resume [PATH]]</c>: trains the configured run and prints a summary with the output paths.
/// Under a launcher with <c>Umt:Distributed:Backend = mpi</c> every process runs this; rank 0 logs
/// and prints, the others log warnings and errors only, tagged with their rank.
/// </summary>
public static class TrainCommand
{
    public static int Run(RunPlan plan, IConfiguration configuration, ResumeRequest? resume, long? stopAfter, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        using var collectives = DistributedBackend.Start(plan.Distributed, plan.Launch);
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
                output.WriteLine(TrainingSummary.Format(result));
            }
            return cancel.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Success;
        });
    }
}
