using System.Diagnostics;
using System.Globalization;
using Serilog;
using TorchSharp.Modules;
using Umt.Runner.Engine.Progress;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Training;

/// <summary>
/// Where a run's progress goes: TensorBoard scalars (total and per-objective loss, learning rate,
/// step time, the part of it the step waited for data, resident memory), metric lines in the
/// JSON-lines log every <c>LogEvery</c> steps, and every step to the verb's progress display
/// (<see cref="ProgressRenderer"/>: a live bar on a terminal, periodic lines otherwise).
/// </summary>
public sealed class TrainingReporter : IDisposable
{
    private readonly ILogger log;
    private readonly SummaryWriter tensorboard;
    private readonly int logEvery;
    private readonly long totalSteps;
    private readonly IProgressCounter progress;
    private readonly Queue<double> recentStepSeconds = new();

    /// <param name="label">The verb as the progress display names it (<c>train</c>, <c>finetune</c>).</param>
    public TrainingReporter(ILogger log, string runDirectory, int logEvery, long totalSteps, ProgressRenderer progress, string label)
    {
        this.log = log;
        this.logEvery = logEvery;
        this.totalSteps = totalSteps;
        this.progress = progress.Start(label, totalSteps, "steps");
        TensorBoardDirectory = Path.Combine(runDirectory, "tensorboard");
        tensorboard = utils.tensorboard.SummaryWriter(TensorBoardDirectory, "", false);
    }

    public string TensorBoardDirectory { get; }

    /// <param name="step">Steps completed (1-based).</param>
    /// <param name="dataWait">Part of the step spent waiting for its batch: near 0 while the pipeline keeps ahead, most of the step when data starves it.</param>
    /// <param name="skipped">Unreadable samples skipped so far.</param>
    public void Report(long step, double loss, IReadOnlyDictionary<string, double> perObjective, double learningRate, double stepSeconds, TimeSpan dataWait, int skipped)
    {
        recentStepSeconds.Enqueue(stepSeconds);
        if (recentStepSeconds.Count > 20)
        {
            recentStepSeconds.Dequeue();
        }
        bool periodic = step % logEvery == 0 || step == totalSteps;
        if (periodic)
        {
            int point = checked((int)step);
            tensorboard.add_scalar("loss/total", (float)loss, point);
            foreach (var (name, value) in perObjective)
            {
                tensorboard.add_scalar($"loss/{name}", (float)value, point);
            }
            tensorboard.add_scalar("lr", (float)learningRate, point);
            tensorboard.add_scalar("time/step_ms", (float)(stepSeconds * 1000), point);
            tensorboard.add_scalar("time/data_wait_ms", (float)dataWait.TotalMilliseconds, point);
            tensorboard.add_scalar("memory/rss_mb", Process.GetCurrentProcess().WorkingSet64 / (1024f * 1024f), point);
            tensorboard.add_scalar("data/skipped_samples", skipped, point);
            var metrics = log.ForContext("Metrics", true);
            metrics.Information("step {Step}/{Total} loss {Loss:F4} {PerObjective} lr {Lr:E2} {StepMs:F0} ms/step data_wait_ms {DataWaitMs:F0} skipped {Skipped} ETA {Eta}",
                step, totalSteps, loss, string.Join(" ", perObjective.Select(kv => $"{kv.Key}={kv.Value.ToString("F4", CultureInfo.InvariantCulture)}")),
                learningRate, stepSeconds * 1000, dataWait.TotalMilliseconds, skipped, Eta(step));
        }
        progress.Report(step, string.Create(CultureInfo.InvariantCulture, $"loss {loss:F4} lr {learningRate:G3}"));
    }

    private string Eta(long step)
    {
        double seconds = recentStepSeconds.Count == 0 ? 0 : recentStepSeconds.Average() * (totalSteps - step);
        return ProgressRate.Clock(TimeSpan.FromSeconds(Math.Round(seconds)));
    }

    /// <remarks>TorchSharp's SummaryWriter writes each event as it is added and holds no open handle to release.</remarks>
    public void Dispose() => progress.Dispose();
}
