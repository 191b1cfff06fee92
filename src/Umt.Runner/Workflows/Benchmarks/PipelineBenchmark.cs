using System.Diagnostics;
using Serilog;
using TorchSharp;
using Umt.Abstractions.Distributed;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Data;
using Umt.Runner.Engine.Distributed;
using Umt.Runner.Engine.Model;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Engine.Step;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>
/// <c>umt bench</c>: times the configured pipeline's full optimizer step against the same
/// computation written by hand (<see cref="BareVideoMaeStep"/> for the VideoMAE baseline,
/// <see cref="BareUmtStep"/> for UMT stage 1), alternating step by step so machine noise hits
/// both alike, with a per-phase breakdown of both; relates the step's FLOPs to a large fp32 GEMM
/// measured in the same process; and fits the growth of resident memory over steps 100 to <c>steps</c>.
/// Under a launcher with the MPI backend every process runs the same benchmark on its own batch,
/// and the configured step averages gradients over them: its <c>gradient_all_reduce</c> phase is
/// the cost of data parallelism (the hand-written step stays single-process).
/// </summary>
/// <param name="collectives">The job's processes; one process by default.</param>
/// <param name="fp32BareTeacher">The hand-written UMT step runs its teacher in fp32 whatever the configured precision, so the ratio is the configured step against the fp32 one.</param>
public sealed class PipelineBenchmark(RunPlan plan, ILogger log, ICollectives? collectives = null, bool fp32BareTeacher = false)
{
    private readonly ICollectives processes = collectives ?? SingleProcessCollectives.Instance;

    private const int WarmupSteps = 3;
    private const int StepsPerRound = 5;
    private const int RssFitFrom = 100;

    /// <param name="progress">Where the configured steps are counted (warm-up, timed rounds, then the memory steps up to <paramref name="steps"/>).</param>
    public BenchResult Run(int steps, int rounds, ProgressRenderer progress)
    {
        var shape = BareStepShape();
        TorchThreads.Configure(plan.Run.Threads, processes.LocalSize);
        using var model = TrainingModel.Create(plan, log);
        model.Train();
        // Both steps carry a recorder while timed, so whatever a mark costs (a device sync on CUDA) hits both alike.
        var configuredPhases = new PhaseStopwatch(plan.Device);
        var barePhases = new PhaseStopwatch(plan.Device);
        using var optimization = new OptimizationStep(model, plan, configuredPhases, processes);
        using IBareStep bare = shape switch
        {
            VideoMaeShape { Setup: var v } => new BareVideoMaeStep(plan.StudentConfig, v.DecoderWidth, v.DecoderDepth, v.DecoderHeads, v.Masking.Name == "tube", v.Masking.Ratio, plan.Device, barePhases),
            UmtShape u => new BareUmtStep(u.Setup, plan.Device, barePhases),
            _ => throw new InvalidOperationException($"No hand-written step for {shape}."),
        };

        var batch = FirstBatch();
        using var video = tensor(batch.Pixels, [batch.Indices.Length, 3, plan.Student.Frames, plan.Student.ImageSize, plan.Student.ImageSize]).to(plan.Device);
        double lr = plan.Schedule.PeakLr;
        long step = 0;
        using var finalizers = NativeGarbage.HoldFinalizers(); // as the trainer holds them; the bare step's garbage is freed at the configured step's end
        double Configured()
        {
            var clock = Stopwatch.StartNew();
            optimization.Run(() => batch, model.Maskings[0], step++, lr);
            return clock.Elapsed.TotalMilliseconds;
        }
        double Bare()
        {
            var clock = Stopwatch.StartNew();
            bare.Run(video);
            return clock.Elapsed.TotalMilliseconds;
        }

        var memory = new MemoryTrace();
        using var counter = progress.Start("bench", Math.Max(steps, WarmupSteps + rounds * StepsPerRound), "steps");
        void Sampled()
        {
            memory.Sample();
            counter.Report(memory.Count);
        }
        for (int i = 0; i < WarmupSteps; i++)
        {
            Configured();
            Sampled();
            Bare();
        }
        var configuredMs = new List<double>();
        var bareMs = new List<double>();
        var configuredLaps = new List<IReadOnlyDictionary<StepPhase, double>>();
        var bareLaps = new List<IReadOnlyDictionary<StepPhase, double>>();
        var unattributed = new List<double>();
        var bareUnattributed = new List<double>();
        void TimedBare()
        {
            double ms = Bare();
            bareMs.Add(ms);
            bareLaps.Add(barePhases.LastStep);
            bareUnattributed.Add(ms - barePhases.LastStepTotal);
        }

        for (int round = 0; round < rounds; round++)
        {
            // Step by step, alternating which goes first, so a burst of load from another process
            // (seconds long on a shared machine) hits both steps of a pair instead of one block of five.
            for (int i = 0; i < StepsPerRound; i++)
            {
                bool bareFirst = (round * StepsPerRound + i) % 2 == 1;
                if (bareFirst)
                {
                    TimedBare();
                }
                double ms = Configured();
                configuredMs.Add(ms);
                configuredLaps.Add(configuredPhases.LastStep);
                unattributed.Add(ms - configuredPhases.LastStepTotal);
                Sampled();
                if (!bareFirst)
                {
                    TimedBare();
                }
            }
            log.Information("bench round {Round}/{Rounds}: configured {Configured:F1} ms, bare {Bare:F1} ms (medians so far)", round + 1, rounds, Median(configuredMs), Median(bareMs));
        }
        while (memory.Count < steps)
        {
            Configured();
            Sampled();
            if (memory.Count % 100 == 0)
            {
                log.Information("bench memory: step {Step}/{Steps}, RSS {Rss:F0} MB", memory.Count, steps, memory.LastRssKib / 1024);
            }
        }

        double stepMs = Median(configuredMs), bareStepMs = Median(bareMs);
        double gflop = shape switch
        {
            VideoMaeShape v => VideoMaeGflop(model, v),
            _ => UmtGflop(model, (BareUmtStep)bare, ((UmtShape)shape).Setup),
        };
        double gemm = GemmProbe.Gflops(plan.Device);
        double achieved = gflop / (stepMs / 1000);
        return new BenchResult(
            StepMs: stepMs,
            BareStepMs: bareStepMs,
            OverheadRatio: stepMs / bareStepMs,
            DataWaitMs: Median(configuredLaps.Select(l => l[StepPhase.DataWait]).ToList()),
            PhasesMs: PhaseMedians(configuredLaps),
            BarePhasesMs: PhaseMedians(bareLaps),
            UnattributedMs: Median(unattributed),
            BareUnattributedMs: Median(bareUnattributed),
            TokensPerSecond: batch.Indices.Length * plan.Student.Grid.Count / (stepMs / 1000),
            GflopPerStep: gflop,
            AchievedGflops: achieved,
            GemmGflops: gemm,
            GemmFraction: achieved / gemm,
            RssSlopeKbPerStep: memory.RssSlope(RssFitFrom),
            RssMbEnd: memory.LastRssKib / 1024,
            RssMbEvery50Steps: memory.RssMbEvery50,
            ManagedCommittedMbEvery50Steps: memory.ManagedMbEvery50,
            NativeSlopeKbPerStep: memory.NativeSlope(RssFitFrom),
            HeapInUseSlopeKbPerStep: memory.HeapInUseSlope(RssFitFrom),
            HeapMbEvery50Steps: memory.HeapSizeMbEvery50,
            HeapInUseMbEvery50Steps: memory.HeapInUseMbEvery50,
            Allocator: MemoryProbe.AllocatorSettings(),
            Steps: memory.Count,
            Threads: torch.get_num_threads(),
            WorldSize: processes.WorldSize,
            SamplesPerSecond: processes.WorldSize * batch.Indices.Length / (stepMs / 1000),
            AllReduceShare: Median(configuredLaps.Select(l => l[StepPhase.GradientAllReduce]).ToList()) / stepMs,
            Config: $"{plan.Model.Preset} {plan.Student.Grid} tokens, batch {plan.Run.BatchSize}, {shape.Describe(plan)}");
    }

    /// <summary>Median per phase over the timed steps, under the phases' JSON names, in step order.</summary>
    private static IReadOnlyDictionary<string, double> PhaseMedians(List<IReadOnlyDictionary<StepPhase, double>> laps) =>
        PhaseStopwatch.Phases.ToDictionary(PhaseStopwatch.Name, p => Math.Round(Median(laps.Select(l => l[p]).ToList()), 2));

    private HostBatch FirstBatch()
    {
        using var dataset = plan.CreateDataset(log);
        using var pipeline = new BatchPipeline(dataset, plan.Run.Seed, plan.Run.BatchSize, default, plan.Run.DataWorkers,
            new SampleFailures(log, dataset.Info.Count, plan.Run.MaxFailureFraction));
        return pipeline.Next();
    }

    private double VideoMaeGflop(TrainingModel model, VideoMaeShape shape)
    {
        long encoderBlocks = model.Student.named_parameters().Where(p => p.name.StartsWith("blocks.", StringComparison.Ordinal)).Sum(p => p.parameter.numel());
        var head = model.Objectives.Single().Objective.Head!;
        long decoderBlocks = head.named_parameters().Where(p => p.name.StartsWith("decoder.blocks.", StringComparison.Ordinal)).Sum(p => p.parameter.numel());
        double flops = StepFlops.Count(plan.Run.BatchSize, encoderBlocks, plan.Student.Depth, plan.Student.Width, plan.MaskingTraits.VisiblePerClip(plan.Student.Grid),
            decoderBlocks, shape.Setup.DecoderDepth, shape.Setup.DecoderWidth, plan.Student.Grid.Count);
        return flops / 1e9;
    }

    /// <summary>
    /// <see cref="StepFlops.Umt"/> with the sizes of the modules that run: the student's blocks up
    /// to the last one an objective reads, the teacher's up to its last (attention is read there),
    /// the configured heads. The teacher's sizes come from the bare step's tower, which holds the
    /// configured teacher's weights (the plugin's tower is not visible through ITeacher).
    /// </summary>
    private double UmtGflop(TrainingModel model, BareUmtStep bare, BareUmtSetup setup)
    {
        static long Sum(nn.Module module, Func<string, bool> take) =>
            module.named_parameters().Where(p => take(p.name)).Sum(p => p.parameter.numel());
        static bool InBlocks(string name, string prefix, int last) =>
            name.StartsWith(prefix, StringComparison.Ordinal) && int.Parse(name[prefix.Length..name.IndexOf('.', prefix.Length)], System.Globalization.CultureInfo.InvariantCulture) <= last;

        int studentLast = plan.StudentBlocks.Max();
        var student = new StepFlops.Stack(Sum(model.Student, n => InBlocks(n, "blocks.", studentLast)), studentLast + 1, plan.Student.Width);
        var tower = bare.Teacher;
        int teacherLast = plan.MaskingTraits.NeedsTeacherAttention ? tower.Config.Layers - 1 : plan.TeacherLayers.Max();
        var teacher = new StepFlops.Stack(Sum(tower, n => InBlocks(n, "transformer.resblocks.", teacherLast)), teacherLast + 1, tower.Config.Width);
        double flops = StepFlops.Umt(plan.Run.BatchSize, plan.Student.Frames,
            teacher, Sum(tower, n => n == "conv1.weight"), (long)setup.TeacherGridSide * setup.TeacherGridSide, Sum(tower, n => n == "proj"), setup.AlignedLayers,
            student, Sum(model.Student, n => n.StartsWith("patch_embed.", StringComparison.Ordinal)), plan.Student.Grid.Count,
            plan.MaskingTraits.VisiblePerClip(plan.Student.Grid), Sum(model.Objectives.Single().Objective.Head!, _ => true));
        return flops / 1e9;
    }

    /// <summary>Which hand-written step matches the configured pipeline, with its sizes.</summary>
    private abstract record BareShape
    {
        public abstract string Describe(RunPlan plan);
    }

    /// <summary>VideoMAE: no teacher, tube or random masking, mae-pixels only.</summary>
    private sealed record VideoMaeShape(BareVideoMaeSetup Setup) : BareShape
    {
        public override string Describe(RunPlan plan) =>
            $"{Setup.Masking.Name} {Setup.Masking.Ratio}, {plan.MaskingTraits.VisiblePerClip(plan.Student.Grid)} visible, decoder {Setup.DecoderWidth}×{Setup.DecoderDepth}";
    }

    /// <summary>UMT stage 1: a CLIP teacher, semantic/random/tube masking, umt-alignment only.</summary>
    private sealed record UmtShape(BareUmtSetup Setup, bool ConfiguredBf16) : BareShape
    {
        public override string Describe(RunPlan plan) =>
            $"teacher {plan.Teacher!.Entry.Name} ({plan.TeacherTraits!.Depth} blocks, {Setup.TeacherGridSide}² patches/frame, output {plan.TeacherTraits.OutputWidth}{(ConfiguredBf16 ? ", bf16" : "")}{(ConfiguredBf16 != Setup.TeacherBf16 ? "; hand-written step's teacher fp32" : "")}), "
            + $"{Setup.Masking} {Setup.Ratio}, {plan.MaskingTraits.VisiblePerClip(plan.Student.Grid)} visible, umt-alignment K = {Setup.AlignedLayers}";
    }

    /// <summary>
    /// The hand-written step whose <c>Supports</c> accepts the configured pipeline; anything else is
    /// refused before a tensor is allocated.
    /// </summary>
    private BareShape BareStepShape()
    {
        if (BareVideoMaeStep.Supports(plan) is { } videoMae)
        {
            return new VideoMaeShape(videoMae);
        }
        if (BareUmtStep.Supports(plan, log) is { } umt)
        {
            return new UmtShape(fp32BareTeacher ? umt with { TeacherBf16 = false } : umt, umt.TeacherBf16);
        }
        throw new ConfigurationException(
            $"umt bench compares the configured step with a hand-written one, which exists for two pipelines: {BareVideoMaeStep.Covers} and {BareUmtStep.Covers}; "
            + $"got teacher {plan.Teacher?.Entry.Name ?? RunPlanner.NoTeacher}, masking {plan.Masking.Entry.Name}, objectives {string.Join(", ", plan.Objectives.Select(o => o.Entry.Name))}.");
    }

    /// <summary>The median (the mean of the middle two for an even count), NaN for none.</summary>
    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
