using System.Diagnostics;
using System.Globalization;
using Serilog;
using TorchSharp;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Kinetics;
using Umt.Plugins.Datasets.Media;
using Umt.Plugins.Datasets.MediaDatasets;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Data;
using Umt.Runner.Engine.Model;
using Umt.Runner.Engine.Step;

namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>What <c>umt bench data</c> measured, in one process, one after the other.</summary>
/// <param name="Source">What was decoded: the configured dataset, or generated clips.</param>
/// <param name="DecodeClipsPerSecond">Clips through the pipeline (decode, sample, crop, normalise, collate) per second with <paramref name="Workers"/> workers.</param>
/// <param name="TrainerClipsPerSecond">Clips the configured optimizer step consumes per second (batch size / median step time).</param>
/// <param name="Ratio">Decode rate over consumption rate: ≥ 1 means data keeps up with training.</param>
/// <param name="Decoder">The video decoder measured (<c>workers</c> or <c>ffmpeg</c>, the dataset's <c>Decoder</c> option).</param>
/// <param name="CpuSecondsPerClip">CPU seconds one clip cost this process and its decoders (its inverse: clips/s per core).</param>
/// <param name="Baseline">Generated clips only: the same measurement with one ffmpeg process per clip, in the same run, before the workers.</param>
/// <param name="DataWaitMs">Median time the configured step, fed by the live pipeline, waited for its batch (≈ 0 when data keeps up; the step's <c>data_wait_ms</c> in <c>umt train</c>).</param>
public sealed record DataBenchResult(
    string Source,
    string Decoder,
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
    int Threads,
    double CpuSecondsPerClip,
    DecodeBaseline? Baseline,
    double DataWaitMs);

/// <summary>The CLI decoder on the same clips, and how many times more clips per core second the workers decode.</summary>
public sealed record DecodeBaseline(double DecodeClipsPerSecond, double CpuSecondsPerClip, double ClipsPerSecondGain, double ClipsPerCoreGain);

/// <summary>
/// <c>umt bench data</c>: is decoding fast enough for the configured trainer? Decodes a first epoch
/// through the real pipeline (W workers, prefetch, probes not yet cached) and times the configured
/// optimizer step on a decoded batch, and reports the ratio of the two rates. With the synthetic
/// dataset configured it decodes generated H.264 clips (lavfi testsrc2, by default 10 s of
/// 320×240 at 25 fps, the size data-and-weights.md §1 measured) through the <c>kinetics</c> loader
/// at the run's frames and size, twice: one ffmpeg process per clip (the baseline), then the
/// decode workers, each with its CPU cost per clip.
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
            Func<IVideoDataset> dataset;
            string source, decoder;
            DecodeBaseline? baseline = null;
            if (plan.Dataset.Entry.Name == "synthetic")
            {
                scratch = Directory.CreateTempSubdirectory("umt-bench-data-").FullName;
                // Enough distinct files for the whole measurement, so no probe is reused from a cache.
                int clips = (batches + 3) * batch;
                string list = GeneratedClips(scratch, clips, sourceWidth, sourceHeight, seconds, cancel);
                source = string.Create(CultureInfo.InvariantCulture, $"{clips} generated H.264 clips, {seconds} s of {sourceWidth}×{sourceHeight} at 25 fps (kinetics loader)");
                decoder = "workers";
                var (cliRate, cliCpu, _) = Decode(Kinetics(list, scratch, "ffmpeg"), batches, cancel);
                dataset = () => Kinetics(list, scratch, decoder);
                baseline = new DecodeBaseline(Math.Round(cliRate, 2), Math.Round(cliCpu, 4), 0, 0);
            }
            else
            {
                dataset = () => plan.CreateDataset(log);
                source = $"{plan.Dataset.Entry.Name} ({plan.Dataset.OptionsPath})";
                decoder = plan.Dataset.Options is MediaDatasetOptions media ? media.Decoder : "none (generated in memory)";
            }
            var (decodeRate, cpuPerClip, sample) = Decode(dataset(), batches, cancel);
            if (baseline is not null)
            {
                baseline = baseline with
                {
                    ClipsPerSecondGain = Math.Round(decodeRate / baseline.DecodeClipsPerSecond, 2),
                    ClipsPerCoreGain = Math.Round(baseline.CpuSecondsPerClip / cpuPerClip, 2),
                };
            }
            using var fed = dataset();
            var (stepMs, dataWaitMs) = TimeSteps(fed, sample, steps);
            double trainRate = batch / (stepMs / 1000);
            int decoded = batches * batch;
            return new DataBenchResult(source, decoder, plan.Run.DataWorkers, batch, plan.Student.Frames, plan.Student.ImageSize, decoded,
                Math.Round(decoded / decodeRate, 3), Math.Round(decodeRate, 2), Math.Round(stepMs, 1), Math.Round(trainRate, 2), Math.Round(decodeRate / trainRate, 3), torch.get_num_threads(),
                Math.Round(cpuPerClip, 4), baseline, Math.Round(dataWaitMs, 1));
        }
        finally
        {
            if (scratch is not null)
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>
    /// One batch to warm up (first processes, thread start), then <paramref name="batches"/> timed;
    /// the CPU cost per clip covers every clip read after the warm-up (prefetched ones included)
    /// up to the dataset's disposal (its decode workers exited and reaped).
    /// </summary>
    /// <returns>Clips per second, CPU seconds per clip, and the last batch.</returns>
    private (double ClipsPerSecond, double CpuSecondsPerClip, HostBatch Last) Decode(IVideoDataset source, int batches, CancellationToken cancel)
    {
        var counted = new DecodeCost(source);
        HostBatch last;
        double seconds;
        using (counted)
        {
            var failures = new SampleFailures(log, counted.Info.Count, plan.Run.MaxFailureFraction);
            using var pipeline = new BatchPipeline(counted, plan.Run.Seed, plan.Run.BatchSize, default, plan.Run.DataWorkers, failures, plan.Run.PrefetchBatches);
            last = pipeline.Next();
            counted.Restart();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < batches && !cancel.IsCancellationRequested; i++)
            {
                last = pipeline.Next();
            }
            seconds = clock.Elapsed.TotalSeconds;
        }
        return (batches * plan.Run.BatchSize / seconds, counted.CpuSecondsPerClip, last);
    }

    /// <summary>
    /// Median time of the configured optimizer step on one decoded batch, after warm-up; then the
    /// median time the same step waits for its batch when the live pipeline feeds it, as in training.
    /// </summary>
    private (double StepMs, double DataWaitMs) TimeSteps(IVideoDataset dataset, HostBatch batch, int steps)
    {
        if (plan.Run.Threads > 0)
        {
            torch.set_num_threads(plan.Run.Threads);
        }
        using var model = TrainingModel.Create(plan, log);
        model.Train();
        using var optimization = new OptimizationStep(model, plan);
        using var finalizers = NativeGarbage.HoldFinalizers(); // as the trainer holds them
        var times = new List<double>();
        for (int step = 0; step < WarmupSteps + steps; step++)
        {
            var clock = Stopwatch.StartNew();
            optimization.Run(() => batch, model.Maskings[0], step, plan.Schedule.PeakLr);
            if (step >= WarmupSteps)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        var failures = new SampleFailures(log, dataset.Info.Count, plan.Run.MaxFailureFraction);
        using var pipeline = new BatchPipeline(dataset, plan.Run.Seed, plan.Run.BatchSize, default, plan.Run.DataWorkers, failures, plan.Run.PrefetchBatches);
        var waits = new List<double>();
        for (int step = 0; step < WarmupSteps + steps; step++)
        {
            var outcome = optimization.Run(pipeline.Next, model.Maskings[0], step, plan.Schedule.PeakLr);
            if (step >= WarmupSteps)
            {
                waits.Add(outcome.DataWait.TotalMilliseconds);
            }
        }
        times.Sort();
        return (times[times.Count / 2], PipelineBenchmark.Median(waits));
    }

    /// <summary>One testsrc2 clip encoded once and copied, listed for the kinetics loader.</summary>
    /// <returns>The list's path.</returns>
    private static string GeneratedClips(string folder, int clips, int width, int height, int seconds, CancellationToken cancel)
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
        string list = Path.Combine(folder, "list.csv");
        File.WriteAllLines(list, lines);
        return list;
    }

    /// <summary>The generated clips through the kinetics loader at the run's geometry, with the given decoder.</summary>
    private IVideoDataset Kinetics(string list, string folder, string decoder)
    {
        var entry = catalog.Find(PluginKind.Dataset, "kinetics") ?? throw new InvalidOperationException("The 'kinetics' dataset plugin was not found.");
        var options = new KineticsOptions { Manifest = list, Root = folder, Decoder = decoder };
        return ((IVideoDatasetFactory)entry.Factory).Create(options, plan.PluginContext(log));
    }
}
