using System.Diagnostics;
using Serilog;
using TorchSharp;
using Umt.Runner.Composition;
using Umt.Runner.Configuration;
using Umt.Runner.Training;
using static TorchSharp.torch;

namespace Umt.Runner.Benchmarks;

/// <summary>
/// <c>umt bench</c>: times the configured pipeline's full optimizer step against the same
/// computation written by hand (<see cref="BareVideoMaeStep"/>), interleaved in rounds so machine
/// noise hits both alike; relates the step's FLOPs to a large fp32 GEMM measured in the same
/// process; and fits the growth of resident memory over steps 100 to <c>steps</c>.
/// </summary>
public sealed class PipelineBenchmark(RunPlan plan, ILogger log)
{
    private const int WarmupSteps = 3;
    private const int StepsPerRound = 5;
    private const int RssFitFrom = 100;

    public BenchResult Run(int steps, int rounds)
    {
        var (tubeMasking, ratio, decoder) = BareStepShape();
        if (plan.Run.Threads > 0)
        {
            torch.set_num_threads(plan.Run.Threads);
        }
        using var model = TrainingModel.Create(plan, log);
        model.Train();
        using var optimization = new OptimizationStep(model, plan);
        using var bare = new BareVideoMaeStep(plan.StudentConfig, decoder.Width, decoder.Depth, decoder.Heads, tubeMasking, ratio, plan.Device);

        var batch = FirstBatch();
        using var video = tensor(batch.Pixels, [batch.Indices.Length, 3, plan.Student.Frames, plan.Student.ImageSize, plan.Student.ImageSize]).to(plan.Device);
        double lr = plan.Schedule.PeakLr;
        long step = 0;
        double Configured()
        {
            var clock = Stopwatch.StartNew();
            optimization.Run(() => batch, step++, lr);
            return clock.Elapsed.TotalMilliseconds;
        }
        double Bare()
        {
            var clock = Stopwatch.StartNew();
            bare.Run(video);
            return clock.Elapsed.TotalMilliseconds;
        }

        var rss = new List<double>();
        for (int i = 0; i < WarmupSteps; i++)
        {
            Configured();
            rss.Add(MemoryProbe.ResidentKib());
            Bare();
        }
        var configuredMs = new List<double>();
        var bareMs = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < StepsPerRound; i++)
            {
                configuredMs.Add(Configured());
                rss.Add(MemoryProbe.ResidentKib());
            }
            for (int i = 0; i < StepsPerRound; i++)
            {
                bareMs.Add(Bare());
            }
            log.Information("bench round {Round}/{Rounds}: configured {Configured:F1} ms, bare {Bare:F1} ms (medians so far)", round + 1, rounds, Median(configuredMs), Median(bareMs));
        }
        while (rss.Count < steps)
        {
            Configured();
            rss.Add(MemoryProbe.ResidentKib());
            if (rss.Count % 100 == 0)
            {
                log.Information("bench memory: step {Step}/{Steps}, RSS {Rss:F0} MB", rss.Count, steps, rss[^1] / 1024);
            }
        }

        double stepMs = Median(configuredMs), bareStepMs = Median(bareMs);
        double gflop = StepGflop(model, decoder);
        double gemm = GemmProbe.Gflops(plan.Device);
        double achieved = gflop / (stepMs / 1000);
        var fit = rss.Count > RssFitFrom + 1 ? rss.Skip(RssFitFrom).ToList() : rss;
        return new BenchResult(
            StepMs: stepMs,
            BareStepMs: bareStepMs,
            OverheadRatio: stepMs / bareStepMs,
            TokensPerSecond: batch.Indices.Length * plan.Student.Grid.Count / (stepMs / 1000),
            GflopPerStep: gflop,
            AchievedGflops: achieved,
            GemmGflops: gemm,
            GemmFraction: achieved / gemm,
            RssSlopeKbPerStep: MemoryProbe.Slope(fit),
            RssMbEnd: rss[^1] / 1024,
            RssMbEvery50Steps: rss.Where((_, i) => i % 50 == 0).Select(kib => Math.Round(kib / 1024, 1)).ToList(),
            Allocator: MemoryProbe.AllocatorSettings(),
            Steps: rss.Count,
            Threads: torch.get_num_threads(),
            Config: $"{plan.Model.Preset} {plan.Student.Grid} tokens, batch {plan.Run.BatchSize}, {plan.Masking.Entry.Name} {ratio}, {plan.MaskingTraits.VisiblePerClip(plan.Student.Grid)} visible, decoder {decoder.Width}×{decoder.Depth}");
    }

    private HostBatch FirstBatch()
    {
        using var dataset = plan.CreateDataset(log);
        using var pipeline = new BatchPipeline(dataset, plan.Run.Seed, plan.Run.BatchSize, default, plan.Run.DataWorkers);
        return pipeline.Next();
    }

    private double StepGflop(TrainingModel model, (int Width, int Depth, int Heads) decoder)
    {
        long encoderBlocks = model.Student.named_parameters().Where(p => p.name.StartsWith("blocks.", StringComparison.Ordinal)).Sum(p => p.parameter.numel());
        var head = model.Objectives.Single().Objective.Head!;
        long decoderBlocks = head.named_parameters().Where(p => p.name.StartsWith("decoder.blocks.", StringComparison.Ordinal)).Sum(p => p.parameter.numel());
        double flops = StepFlops.Count(plan.Run.BatchSize, encoderBlocks, plan.Student.Depth, plan.Student.Width, plan.MaskingTraits.VisiblePerClip(plan.Student.Grid),
            decoderBlocks, decoder.Depth, decoder.Width, plan.Student.Grid.Count);
        return flops / 1e9;
    }

    /// <summary>The bare step covers the VideoMAE pipeline: tube or random masking, mae-pixels, no teacher.</summary>
    private (bool Tube, double Ratio, (int Width, int Depth, int Heads) Decoder) BareStepShape()
    {
        string masking = plan.Masking.Entry.Name;
        if (plan.Teacher is not null || masking is not ("tube" or "random") || plan.Objectives.Count != 1 || plan.Objectives[0].Entry.Name != "mae-pixels")
        {
            throw new ConfigurationException(
                "umt bench compares the configured step with a hand-written VideoMAE step, so it needs Umt:Teacher:Use = none, Umt:Masking:Use = tube or random, "
                + $"and mae-pixels as the only objective; got teacher {plan.Teacher?.Entry.Name ?? RunPlanner.NoTeacher}, masking {masking}, objectives {string.Join(", ", plan.Objectives.Select(o => o.Entry.Name))}.");
        }
        double ratio = Read<double>(plan.Masking.Options, "Ratio");
        var objective = plan.Objectives[0].Options;
        return (masking == "tube", ratio, (Read<int>(objective, "DecoderWidth"), Read<int>(objective, "DecoderDepth"), Read<int>(objective, "DecoderHeads")));
    }

    private static T Read<T>(object options, string property) =>
        (T)(options.GetType().GetProperty(property)?.GetValue(options) ?? throw new InvalidOperationException($"{options.GetType().Name} has no {property}."));

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
