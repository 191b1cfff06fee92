using Microsoft.Extensions.Configuration;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Distributed;
using Umt.Runner.Engine.Logging;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Engine.Training;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt train [--resume [PATH]] [--json]</c>: trains the configured run and prints a summary with the
/// output paths (with <c>--json</c>, <see cref="TrainJson"/> on standard output). Progress goes to
/// standard error (<see cref="ProgressRenderer"/>).
/// Under a launcher with <c>Umt:Distributed:Backend = mpi</c> every process runs this; rank 0 logs
/// and prints, the others log warnings and errors only, tagged with their rank.
/// </summary>
public static class TrainCommand
{
    public static int Run(RunPlan plan, IConfiguration configuration, ResumeRequest? resume, long? stopAfter, bool json, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        using var collectives = DistributedBackend.Start(plan.Distributed, plan.Launch);
        return DistributedBackend.RunOrAbort(collectives, error, () =>
        {
            bool main = collectives.Rank == 0;
            var progress = main ? new ProgressRenderer(error) : ProgressRenderer.Silent;
            using var log = main
                ? SerilogSetup.Create(configuration, plan.OutputDirectory, metricsOnConsole: !progress.Live)
                : SerilogSetup.CreateForWorker(configuration, collectives.Rank);
            foreach (string warning in main ? plan.Warnings : [])
            {
                log.Warning("{Warning}", warning);
            }
            var result = new Trainer(plan, log, collectives).Run(resume, progress, stopAfter, cancel);
            if (main && json)
            {
                CliJson.Write(output, TrainJson.From(result));
            }
            else if (main)
            {
                output.WriteLine(TrainingSummary.Format(result));
            }
            return cancel.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Success;
        });
    }
}
