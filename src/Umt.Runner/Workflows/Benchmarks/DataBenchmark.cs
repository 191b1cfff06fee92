using System.Diagnostics;
using System.Globalization;
using Serilog;
using TorchSharp;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Kinetics;
using Umt.Plugins.Datasets.Media;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Data;
using Umt.Runner.Engine.Step;
using Umt.Runner.Engine.Training;

namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>What <c>umt bench data</c> measured, in one process, one after the other.</summary>
/// <param name="Source">What was decoded: the configured dataset, or generated clips.</param>
/// <param name="DecodeClipsPerSecond">Clips through the pipeline (decode, sample, crop, normalise, collate) per second with <paramref name="Workers"/> workers.</param>
/// <param name="TrainerClipsPerSecond">Clips the configured optimizer step consumes per second (batch size / median step time).</param>
/// <param name="Ratio">Decode rate over consumption rate: ≥ 1 means data keeps up with training.</param>
public sealed record DataBenchResult(
    string Source,
    int Workers,
    int BatchSize,
    int Frames,
    int ImageSize,
    int ClipsDecoded,
    double DecodeSeconds,
    double DecodeClipsPerSecond,
    double StepMs,
    double TrainerClipsPerSecond,
    double Ratio,
    int Threads);

/// <summary>
/// <c>umt bench data</c>: is decoding fast enough for the configured trainer? Decodes a first epoch
/// through the real pipeline (W workers, prefetch, one ffmpeg per clip, probes not yet cached) and
/// times the configured optimizer step on a decoded batch, and reports the ratio of the two rates.
/// With the synthetic dataset configured it decodes generated H.264 clips (lavfi testsrc2, by
/// default 10 s of 320×240 at 25 fps, the size data-and-weights.md §1 measured) through the
/// <c>kinetics</c> loader at the run's frames and size.
/// </summary>
public sealed class DataBenchmark(RunPlan plan, PluginCatalog catalog, ILogger log)
{
    private const int WarmupSteps = 2;

    public DataBenchResult Run(int batches, int steps, int sourceWidth, int sourceHeight, int seconds, CancellationToken cancel)
    {
        string? scratch = null;
        try
        {
            int batch = plan.Run.BatchSize;
            IVideoDataset dataset;
            string source;
            if (plan.Dataset.Entry.Name == "synthetic")
            {
                scratch = Directory.CreateTempSubdirectory("umt-bench-data-").FullName;
                // Enough distinct files for the whole measurement, so no probe is reused from a cache.
                int clips = (batches + 3) * batch;
                dataset = GeneratedClips(scratch, clips, sourceWidth, sourceHeight, seconds, cancel);
                source = string.Create(CultureInfo.InvariantCulture, $"{clips} generated H.264 clips, {seconds} s of {sourceWidth}×{sourceHeight} at 25 fps (kinetics loader)");
            }
            else
            {
                dataset = plan.CreateDataset(log);
                source = $"{plan.Dataset.Entry.Name} ({plan.Dataset.OptionsPath})";
            }
            using (dataset)
            {
                var (decoded, decodeSeconds, sample) = Decode(dataset, batches, cancel);
                double stepMs = TimeSteps(sample, steps);
                double decodeRate = decoded / decodeSeconds, trainRate = batch / (stepMs / 1000);
                return new DataBenchResult(source, plan.Run.DataWorkers, batch, plan.Student.Frames, plan.Student.ImageSize, decoded,
                    Math.Round(decodeSeconds, 3), Math.Round(decodeRate, 2), Math.Round(stepMs, 1), Math.Round(trainRate, 2), Math.Round(decodeRate / trainRate, 3), torch.get_num_threads());
            }
        }
        finally
        {
            if (scratch is not null)
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>One batch to warm up (first processes, thread start), then <paramref name="batches"/> timed.</summary>
    private (int Clips, double Seconds, HostBatch Last) Decode(IVideoDataset dataset, int batches, CancellationToken cancel)
    {
        var failures = new SampleFailures(log, dataset.Info.Count, plan.Run.MaxFailureFraction);
        using var pipeline = new BatchPipeline(dataset, plan.Run.Seed, plan.Run.BatchSize, default, plan.Run.DataWorkers, failures, plan.Run.PrefetchBatches);
        var last = pipeline.Next();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < batches && !cancel.IsCancellationRequested; i++)
        {
            last = pipeline.Next();
        }
        return (batches * plan.Run.BatchSize, clock.Elapsed.TotalSeconds, last);
    }

    /// <summary>Median time of the configured optimizer step on one decoded batch, after warm-up.</summary>
    private double TimeSteps(HostBatch batch, int steps)
    {
        if (plan.Run.Threads > 0)
        {
            torch.set_num_threads(plan.Run.Threads);
        }
        using var model = TrainingModel.Create(plan, log);
        model.Train();
        using var optimization = new OptimizationStep(model, plan);
        var times = new List<double>();
        for (int step = 0; step < WarmupSteps + steps; step++)
        {
            var clock = Stopwatch.StartNew();
            optimization.Run(() => batch, step, plan.Schedule.PeakLr);
            if (step >= WarmupSteps)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>One testsrc2 clip encoded once and copied, listed for the kinetics loader at the run's geometry.</summary>
    private IVideoDataset GeneratedClips(string folder, int clips, int width, int height, int seconds, CancellationToken cancel)
    {
        const int Fps = 25;
        string first = Path.Combine(folder, "clip_000000.mp4");
        MediaWriters.WriteTestSource(first, width, height, seconds, Fps, cancel);
        var lines = new List<string> { "clip_000000.mp4,0" };
        for (int i = 1; i < clips; i++)
        {
            string name = $"clip_{i:D6}.mp4";
            File.Copy(first, Path.Combine(folder, name));
            lines.Add($"{name},0");
        }
        File.WriteAllLines(Path.Combine(folder, "list.csv"), lines);
        var entry = catalog.Find(PluginKind.Dataset, "kinetics") ?? throw new InvalidOperationException("The 'kinetics' dataset plugin was not found.");
        var options = new KineticsOptions { Manifest = Path.Combine(folder, "list.csv"), Root = folder };
        return ((IVideoDatasetFactory)entry.Factory).Create(options, plan.PluginContext(log));
    }
}
