using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Teachers;
using Umt.Plugins.Teachers.TinyClip;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Distributed;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.Benchmarks;

namespace Umt.Runner.Cli;

/// <summary><c>umt bench [--json] [--steps N] [--rounds N] [--fp32-bare-teacher]</c>: a benchmark of the configured step (not a test).</summary>
public static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error, Func<ParseResult, TextWriter, Func<ServiceProvider, int>, int> guarded)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object on one line." };
        var steps = new Option<int>("--steps") { Description = "Configured steps in all; RSS growth is fitted over steps 100..N.", DefaultValueFactory = _ => 600 }.AtLeast(1);
        var rounds = new Option<int>("--rounds") { Description = "Timing rounds of 5 configured and 5 hand-written steps, alternating step by step.", DefaultValueFactory = _ => 8 }.AtLeast(1);
        var fp32Bare = new Option<bool>("--fp32-bare-teacher") { Description = "The hand-written UMT step's teacher runs in fp32 whatever Precision says (the configured step against the fp32 one)." };
        var bench = new Command("bench", "Benchmark the configured step against a hand-written TorchSharp step; report GFLOP/s and memory growth.") { json, steps, rounds, fp32Bare };
        bench.Subcommands.Add(Data(output, error, guarded));
        bench.Subcommands.Add(Teacher(output, error, guarded));
        bench.SetAction(parse => guarded(parse, error, services =>
        {
            var plan = services.GetRequiredService<RunPlan>();
            using var collectives = DistributedBackend.Start(plan.Distributed, plan.Launch);
            var result = DistributedBackend.RunOrAbort(collectives, error, () =>
                new PipelineBenchmark(plan, services.GetRequiredService<ILogger>(), collectives, parse.GetValue(fp32Bare)).Run(parse.GetValue(steps), parse.GetValue(rounds),
                    collectives.Rank == 0 ? new ProgressRenderer(error) : ProgressRenderer.Silent));
            if (collectives.Rank != 0)
            {
                return ExitCodes.Success; // rank 0 reports for the job
            }
            if (parse.GetValue(json))
            {
                CliJson.Write(output, result);
            }
            else
            {
                WriteText(result, output);
            }
            return ExitCodes.Success;
        }));
        return bench;
    }

    /// <summary><c>umt bench data [--json] [--batches N] [--steps N] [--source WxH] [--seconds S]</c>.</summary>
    private static Command Data(TextWriter output, TextWriter error, Func<ParseResult, TextWriter, Func<ServiceProvider, int>, int> guarded)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object on one line." };
        var batches = new Option<int>("--batches") { Description = "Batches decoded and timed (after one warm-up batch).", DefaultValueFactory = _ => 4 }.AtLeast(1);
        var steps = new Option<int>("--steps") { Description = "Optimizer steps timed (after two warm-up steps).", DefaultValueFactory = _ => 3 }.AtLeast(1);
        var source = new Option<string>("--source") { Description = "Size of the generated clips when the synthetic dataset is configured.", DefaultValueFactory = _ => "320x240" };
        var seconds = new Option<int>("--seconds") { Description = "Length of the generated clips (25 fps).", DefaultValueFactory = _ => 10 }.AtLeast(1);
        var data = new Command("data", "Decode throughput (clips/s with Umt:Run:DataWorkers workers) against the rate the configured trainer consumes clips, and their ratio.")
        {
            json, batches, steps, source, seconds,
        };
        data.SetAction(parse => guarded(parse, error, services =>
        {
            string[] size = parse.GetValue(source)!.Split('x');
            if (size.Length != 2 || !int.TryParse(size[0], CultureInfo.InvariantCulture, out int width) || !int.TryParse(size[1], CultureInfo.InvariantCulture, out int height) || width % 2 != 0 || height % 2 != 0)
            {
                throw new ArgumentException($"--source must be WIDTHxHEIGHT with even sides, got '{parse.GetValue(source)}'.");
            }
            var result = new DataBenchmark(services.GetRequiredService<RunPlan>(), services.GetRequiredService<PluginCatalog>(), services.GetRequiredService<ILogger>())
                .Run(parse.GetValue(batches), parse.GetValue(steps), width, height, parse.GetValue(seconds), CancellationToken.None);
            if (parse.GetValue(json))
            {
                CliJson.Write(output, result);
                return ExitCodes.Success;
            }
            void Line(FormattableString text) => output.WriteLine(text.ToString(CultureInfo.InvariantCulture));
            Line($"source:          {result.Source}");
            Line($"decode:          {result.DecodeClipsPerSecond:F2} clips/s ({result.ClipsDecoded} clips of {result.Frames}×{result.ImageSize}² in {result.DecodeSeconds:F2} s, {result.Workers} workers, decoder {result.Decoder}, {result.CpuSecondsPerClip * 1000:F0} ms CPU per clip)");
            if (result.Baseline is { } cli)
            {
                Line($"ffmpeg per clip: {cli.DecodeClipsPerSecond:F2} clips/s, {cli.CpuSecondsPerClip * 1000:F0} ms CPU per clip: workers {cli.ClipsPerSecondGain:F2}× clips/s, {cli.ClipsPerCoreGain:F2}× clips per core second");
            }
            Line($"trainer:         {result.TrainerClipsPerSecond:F2} clips/s (step {result.StepMs:F0} ms at batch {result.BatchSize}, {result.Threads} threads)");
            Line($"ratio:           {result.Ratio:F2} (decode / consumption; ≥ 1 keeps the step fed)");
            Line($"data wait:       {result.DataWaitMs:F0} ms per step fed by the pipeline (median; ≈ 0 when data keeps up)");
            return ExitCodes.Success;
        }));
        return data;
    }

    /// <summary><c>umt bench teacher [--json] [--rounds N] [--b16-weights FILE]</c>.</summary>
    private static Command Teacher(TextWriter output, TextWriter error, Func<ParseResult, TextWriter, Func<ServiceProvider, int>, int> guarded)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object on one line." };
        var rounds = new Option<int>("--rounds") { Description = "Timed forwards of each precision per tower (alternating).", DefaultValueFactory = _ => 5 }.AtLeast(1);
        var b16 = new Option<string?>("--b16-weights") { Description = "CLIP-B/16 weights (any layout the clip teacher reads); default: a randomly initialised B/16." };
        var teacher = new Command("teacher", "The clip teacher's forward in fp32 and bf16 (tiny teacher, CLIP-B/16 at 224²): times, their ratio, feature cosine and semantic-mask agreement.")
        {
            json, rounds, b16,
        };
        teacher.SetAction(parse => guarded(parse, error, services =>
        {
            var log = services.GetRequiredService<ILogger>();
            var context = services.GetRequiredService<RunPlan>().PluginContext(log);
            var factory = (ITeacherFactory)services.GetRequiredService<PluginCatalog>().Find(PluginKind.Teacher, "clip")!.Factory;
            string? b16Weights = parse.GetValue(b16) is { } path ? Path.GetFullPath(path) : null;
            var result = new TeacherBenchmark(factory, context).Run(context.ResolvePath(new TinyClipOptions().Weights), b16Weights, parse.GetValue(rounds));
            if (parse.GetValue(json))
            {
                CliJson.Write(output, result);
                return ExitCodes.Success;
            }
            void Line(FormattableString text) => output.WriteLine(text.ToString(CultureInfo.InvariantCulture));
            Line($"auto:            {result.Auto}");
            Line($"GEMM (2048²):    fp32 {result.Fp32GemmGflops:F0} GFLOP/s, bf16 {result.Bf16GemmGflops:F0} GFLOP/s ({result.Bf16GemmGflops / result.Fp32GemmGflops:F2}×; {result.Threads} threads)");
            foreach (var t in result.Towers)
            {
                Line($"");
                Line($"{t.Tower}: {t.Images} frames of {t.Resolution}², last {t.Layers} blocks + CLS attention");
                Line($"  forward:       fp32 {t.Fp32Ms:F1} ms, bf16 {t.Bf16Ms:F1} ms, ratio {t.Ratio:F2} (medians)");
                Line($"  GEMM-bound:    {t.Gflop:F1} GFLOP at the bf16 GEMM rate = {t.GemmBoundBf16Ms:F1} ms ({t.GemmBoundBf16Ms / t.Bf16Ms:P0} of the bf16 forward)");
                Line($"  agreement:     feature cosine mean {t.MeanCosine:F5}, min {t.MinCosine:F5}; semantic masks {t.MaskAgreement:P2} identical");
            }
            return ExitCodes.Success;
        }));
        return teacher;
    }

    /// <summary>The result for a person: the headline numbers, then the phase table of both steps.</summary>
    private static void WriteText(BenchResult r, TextWriter output)
    {
        void Line(FormattableString text) => output.WriteLine(text.ToString(CultureInfo.InvariantCulture));
        Line($"config:          {r.Config}");
        Line($"step:            {r.StepMs:F1} ms configured, {r.BareStepMs:F1} ms hand-written, overhead ratio {r.OverheadRatio:F3} (medians; {r.Threads} threads)");
        Line($"throughput:      {r.TokensPerSecond:F0} tokens/s, {r.GflopPerStep:F2} GFLOP/step, {r.AchievedGflops:F1} GFLOP/s = {r.GemmFraction:F2} of the {r.GemmGflops:F1} GFLOP/s GEMM");
        if (r.WorldSize > 1)
        {
            Line($"processes:       {r.WorldSize}, {r.SamplesPerSecond:F2} samples/s over all, gradient all-reduce {r.AllReduceShare:P1} of the step");
        }
        Line($"memory:          RSS {r.RssMbEnd:F0} MB after {r.Steps} steps, slope {r.RssSlopeKbPerStep:F1} KB/step ({r.NativeSlopeKbPerStep:F1} KB/step outside the .NET heap)");
        if (r.HeapMbEvery50Steps.Count > 0)
        {
            Line($"glibc malloc:    holding {r.HeapMbEvery50Steps[^1]:F0} MB with {r.HeapInUseMbEvery50Steps[^1]:F0} MB in use (last 50-step mark), in-use slope {r.HeapInUseSlopeKbPerStep:F1} KB/step");
        }
        Line($"");
        Line($"{"phase (ms, median)",-22}{"configured",12}{"hand-written",14}");
        foreach (var (phase, ms) in r.PhasesMs)
        {
            Line($"{phase,-22}{ms,12:F1}{r.BarePhasesMs.GetValueOrDefault(phase),14:F1}");
        }
        Line($"{"(outside phases)",-22}{r.UnattributedMs,12:F1}{r.BareUnattributedMs,14:F1}");
        Line($"");
        Line($"allocator:       {string.Join(", ", r.Allocator.Select(kv => $"{kv.Key}={kv.Value}"))}");
    }
}
