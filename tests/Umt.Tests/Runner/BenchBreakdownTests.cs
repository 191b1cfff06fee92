using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Abstractions.Masking;
using Umt.Models.Clip;
using Umt.Models.Weights;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Data;
using Umt.Runner.Engine.Model;
using Umt.Runner.Engine.Step;
using Umt.Runner.Workflows.Benchmarks;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary>
/// <c>umt bench</c>'s UMT support: the phase recorder of the configured step, and the hand-written
/// UMT step computing the configured pipeline's loss. A random tiny CLIP teacher stands in for the
/// shipped one; the student is the tiny preset on 4 frames, batch 2.
/// </summary>
public sealed class BenchBreakdownTests(ITestOutputHelper output) : IDisposable
{
    private readonly TemporaryDirectory temp = new();

    [Fact]
    public void The_recorder_marks_every_phase_once_per_step_and_the_phases_add_up_to_the_step_data_wait_included()
    {
        using var services = Services();
        var (plan, log) = (services.GetRequiredService<RunPlan>(), services.GetRequiredService<ILogger>());
        using var model = TrainingModel.Create(plan, log);
        model.Train();
        var recorder = new LoggingRecorder(new PhaseStopwatch(plan.Device));
        using var optimization = new OptimizationStep(model, plan, recorder);
        var batch = FirstBatch(plan, log);

        for (int step = 0; step < 3; step++)
        {
            recorder.Calls.Clear();
            var clock = Stopwatch.StartNew();
            // The last step's source is slow, as a starved pipeline is: the wait must show as data_wait and in the outcome.
            int delayMs = step == 2 ? 60 : 0;
            var outcome = optimization.Run(() => { Thread.Sleep(delayMs); return batch; }, model.Maskings[0], step, plan.Schedule.PeakLr);

            double stepMs = clock.Elapsed.TotalMilliseconds;

            outcome.DataWait.TotalMilliseconds.Should().BeGreaterThanOrEqualTo(delayMs).And.BeLessThan(delayMs + 250);
            recorder.Inner.LastStep[StepPhase.DataWait].Should().BeGreaterThanOrEqualTo(delayMs).And.BeLessThan(delayMs + 250);
            recorder.Calls.Should().Equal(
                ["start", "DataWait", "restart", "TeacherForward", "Masking", "StudentForward", "ObjectivesForward", "Backward", "Optimizer", "StepCleanup"],
                "each phase is marked once, in step order, after the batch's upload");
            recorder.Inner.LastStepMarks.Where(kv => kv.Key is not (StepPhase.TextForward or StepPhase.GradientAllReduce)).Select(kv => kv.Value).Should().OnlyContain(n => n == 1);
            recorder.Inner.LastStepMarks[StepPhase.TextForward].Should().Be(0, "a stage-1 step has no text side");
            recorder.Inner.LastStepMarks[StepPhase.GradientAllReduce].Should().Be(0, "one process averages nothing");
            recorder.Inner.LastStep.Values.Should().OnlyContain(ms => ms >= 0);
            double phases = recorder.Inner.LastStepTotal;
            output.WriteLine($"step {step}: {stepMs:F1} ms, phases {phases:F1} ms ({string.Join(", ", recorder.Inner.LastStep.Select(kv => $"{kv.Key} {kv.Value:F1}"))})");
            phases.Should().BeLessThanOrEqualTo(stepMs, "the laps lie inside the step");
            (stepMs - phases).Should().BeLessThan(0.05 * stepMs + 5, "only the batch's upload lies outside the phases");
            recorder.Inner.LastStep[StepPhase.TeacherForward].Should().BeGreaterThan(0);
            recorder.Inner.LastStep[StepPhase.Backward].Should().BeGreaterThan(0);
        }
    }

    [Fact]
    public void The_hand_written_umt_step_computes_the_configured_loss_on_the_same_weights_and_mask()
    {
        using var services = Services("--set", "Umt:Model:DropPath=0");
        var (plan, log) = (services.GetRequiredService<RunPlan>(), services.GetRequiredService<ILogger>());
        using var model = TrainingModel.Create(plan, log);
        model.Train();
        var setup = BareUmtStep.Supports(plan, log);
        setup.Should().NotBeNull("a CLIP teacher, semantic masking and umt-alignment are the UMT shape");
        using var bare = new BareUmtStep(setup!, plan.Device);
        // The configured student and heads, copied into the hand-written step (the teacher is loaded from the same file by both).
        StateDictLoader.Load(bare.Student, model.Student.state_dict());
        StateDictLoader.Load(bare.Heads, model.Objectives.Single().Objective.Head!.state_dict());
        using var optimization = new OptimizationStep(model, plan);
        var host = FirstBatch(plan, log);

        using var scope = NewDisposeScope();
        var batch = optimization.ToDevice(host, step: 0);                                                       // video [B, 3, T, H, W]
        var teacher = model.Teacher!.Encode(batch.Video, plan.TeacherLayers, withAttention: true);               // [K, B, N, C], [B·T, P]
        var mask = model.Masking.CreateMask(new MaskingInput(plan.Student.Grid, batch.Keys, plan.Device, teacher.Attention)); // [B, N]
        double configured = new TrainingStep(model, plan).Forward(batch, model.Maskings[0]).Total.item<float>();

        double handWritten = bare.Run(batch.Video, mask);

        output.WriteLine($"configured loss {configured:F6}, hand-written {handWritten:F6}");
        configured.Should().BeInRange(0.1, 4, "2 − 2cos of unit vectors lies in [0, 4], and random heads are far from the targets");
        handWritten.Should().BeApproximately(configured, 1e-5, "same teacher file, student and heads weights, mask, and no drop-path");
        // A second step on its own mask moves the loss: the optimizer stepped and a fresh semantic mask was drawn.
        bare.Run(batch.Video).Should().NotBe(handWritten);
    }

    [Fact]
    public void Bench_refuses_a_pipeline_it_has_no_hand_written_step_for_and_names_both()
    {
        var result = TestSupport.Umt.Run(output, ["bench", .. Arguments("--set", "Umt:Objectives:mae-pixels:Weight=1")]);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("VideoMAE").And.Contain("UMT stage 1").And.Contain("umt-alignment").And.Contain("mae-pixels");
    }

    [Fact]
    public void Each_hand_written_step_declares_the_pipeline_it_reproduces_from_the_plans_typed_options()
    {
        using (var services = Services())
        {
            var plan = services.GetRequiredService<RunPlan>();
            var umt = BareUmtStep.Supports(plan, services.GetRequiredService<ILogger>());
            umt.Should().NotBeNull("the default is UMT stage 1");
            (umt!.Masking, umt.Ratio, umt.AlignedLayers).Should().Be(("semantic", 0.8, plan.TeacherLayers.Count));
            BareVideoMaeStep.Supports(plan).Should().BeNull("it has a teacher and no mae-pixels");
        }
        string videoMae = Path.Combine(RepositoryPaths.Root, "configs", "videomae.json");
        using (var services = RunnerServices.Build(new CommonArguments(RepositoryPaths.Root, [videoMae], ["Umt:Model:Frames=4"])))
        {
            var plan = services.GetRequiredService<RunPlan>();
            BareVideoMaeStep.Supports(plan).Should().Be(new BareVideoMaeSetup(new BareMasking("tube", 0.9), DecoderWidth: 192, DecoderDepth: 4, DecoderHeads: 3));
            BareUmtStep.Supports(plan, services.GetRequiredService<ILogger>()).Should().BeNull("it has no teacher");
        }
        using (var services = Services("--set", "Umt:Objectives:mae-pixels:Weight=1"))
        {
            var plan = services.GetRequiredService<RunPlan>();
            BareUmtStep.Supports(plan, services.GetRequiredService<ILogger>()).Should().BeNull("two objectives are neither pipeline");
            BareVideoMaeStep.Supports(plan).Should().BeNull();
        }
    }

    public void Dispose() => temp.Dispose();

    private ServiceProvider Services(params string[] extra) =>
        RunnerServices.Build(new CommonArguments(RepositoryPaths.Root, [], Arguments(extra).Where((_, i) => i % 2 == 1).ToArray()));

    /// <summary>The default UMT stage-1 configuration, shrunk: a random tiny teacher, 4 frames, batch 2.</summary>
    private string[] Arguments(params string[] extra) =>
    [
        "--set", $"Umt:Teacher:Options:tiny-clip:Weights={RandomTeacher()}",
        "--set", "Umt:Model:Frames=4", "--set", "Umt:Run:BatchSize=2", "--set", "Umt:Run:DataWorkers=1",
        .. extra,
    ];

    private string RandomTeacher()
    {
        string path = temp.Combine("tiny-random.safetensors");
        if (!File.Exists(path))
        {
            manual_seed(7);
            using var tower = new ClipVisionTransformer(ClipVisionConfig.Tiny);
            SafetensorsFile.Write(path, tower.state_dict().ToDictionary(kv => "visual." + kv.Key, kv => kv.Value));
        }
        return path;
    }

    private static HostBatch FirstBatch(RunPlan plan, ILogger log)
    {
        using var dataset = plan.CreateDataset(log);
        using var pipeline = new BatchPipeline(dataset, plan.Run.Seed, plan.Run.BatchSize, default, workers: 1, new SampleFailures(log, dataset.Info.Count, maxFraction: 0));
        return pipeline.Next();
    }

    /// <summary>Forwards to a <see cref="PhaseStopwatch"/> and logs the calls in order.</summary>
    private sealed class LoggingRecorder(PhaseStopwatch inner) : IStepPhaseRecorder
    {
        public PhaseStopwatch Inner => inner;

        public List<string> Calls { get; } = [];

        public void StepStarted()
        {
            Calls.Add("start");
            inner.StepStarted();
        }

        public void Restart()
        {
            Calls.Add("restart");
            inner.Restart();
        }

        public void PhaseEnded(StepPhase phase)
        {
            Calls.Add(phase.ToString());
            inner.PhaseEnded(phase);
        }
    }
}
