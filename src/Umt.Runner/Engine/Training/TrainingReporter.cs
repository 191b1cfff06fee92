using System.Diagnostics;
using System.Globalization;
using Serilog;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Training;

/// <summary>
/// Where a run's progress goes: TensorBoard scalars (total and per-objective loss, learning rate,
/// step time, resident memory), metric lines in the JSON-lines log, and on the console either a
/// progress bar with ETA (interactive terminal) or a plain line every <c>LogEvery</c> steps.
/// </summary>
public sealed class TrainingReporter : IDisposable
{
    private readonly ILogger log;
    private readonly SummaryWriter tensorboard;
    private readonly int logEvery;
    private readonly long totalSteps;
    private readonly bool interactive;
    private readonly Queue<double> recentStepSeconds = new();
    private bool barShown;

    public TrainingReporter(ILogger log, string runDirectory, int logEvery, long totalSteps, bool interactive)
    {
        this.log = log;
        this.logEvery = logEvery;
        this.totalSteps = totalSteps;
        this.interactive = interactive;
        TensorBoardDirectory = Path.Combine(runDirectory, "tensorboard");
        tensorboard = utils.tensorboard.SummaryWriter(TensorBoardDirectory, "", false);
    }

    public string TensorBoardDirectory { get; }

    /// <param name="step">Steps completed (1-based).</param>
    /// <param name="skipped">Unreadable samples skipped so far.</param>
    public void Report(long step, double loss, IReadOnlyDictionary<string, double> perObjective, double learningRate, double stepSeconds, int skipped)
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
            tensorboard.add_scalar("memory/rss_mb", Process.GetCurrentProcess().WorkingSet64 / (1024f * 1024f), point);
            tensorboard.add_scalar("data/skipped_samples", skipped, point);
            var metrics = log.ForContext("Metrics", true);
            metrics.Information("step {Step}/{Total} loss {Loss:F4} {PerObjective} lr {Lr:E2} {StepMs:F0} ms/step skipped {Skipped} ETA {Eta}",
                step, totalSteps, loss, string.Join(" ", perObjective.Select(kv => $"{kv.Key}={kv.Value.ToString("F4", CultureInfo.InvariantCulture)}")),
                learningRate, stepSeconds * 1000, skipped, Eta(step));
        }
        if (interactive)
        {
            DrawBar(step, loss, learningRate);
        }
    }

    /// <summary>Ends the progress bar line before other console output.</summary>
    public void EndBar()
    {
        if (barShown)
        {
            Console.Out.WriteLine();
            barShown = false;
        }
    }

    private void DrawBar(long step, double loss, double learningRate)
    {
        const int width = 30;
        int filled = (int)(width * step / Math.Max(1, totalSteps));
        string bar = new string('#', filled) + new string('.', width - filled);
        Console.Out.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r[{bar}] {step}/{totalSteps} loss {loss:F4} lr {learningRate:E2} {recentStepSeconds.Average():F2} s/step ETA {Eta(step)}   "));
        barShown = true;
    }

    private string Eta(long step)
    {
        double seconds = recentStepSeconds.Count == 0 ? 0 : recentStepSeconds.Average() * (totalSteps - step);
        return TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);
    }

    /// <remarks>TorchSharp's SummaryWriter writes each event as it is added and holds no open handle to release.</remarks>
    public void Dispose() => EndBar();
}
