using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using TorchSharp;
using Umt.Runner.Cli;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Data;
using Umt.Runner.Engine.Step;
using Umt.Runner.Engine.Training;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>
/// The training step frees every tensor it makes when it ends: none is left for the garbage
/// collector's finalizer (whose late frees raise the native high-water mark, seen as jumps of
/// resident memory in long runs) and none accumulates. Counted by TorchSharp's dispose-scope
/// statistics of this thread, for each configuration whose step differs: UMT stage 1, the
/// VideoMAE baseline, and stage 2 with its text side.
/// </summary>
public sealed class StepTensorLifetimeTests(ITestOutputHelper log)
{
    public static TheoryData<string[]> Configurations =>
    [
        ["--set", "Umt:Model:Frames=4"],
        ["--config", "configs/videomae.json", "--set", "Umt:Model:Frames=4"],
        ["--config", "configs/umt-stage2.json", "--set", "Umt:Stage2:From=", "--set", "Umt:Model:Frames=2", "--set", "Umt:ImageDataset:Use=none"],
    ];

    [Theory]
    [MemberData(nameof(Configurations))]
    public void A_step_leaves_no_tensor_alive_and_none_to_the_finalizer(string[] configuration)
    {
        using var composed = new ComposedStep(configuration);
        var (optimization, batch, lr) = (composed.Step, composed.Batch, composed.Plan.Schedule.PeakLr);

        // Two warm-up steps create AdamW's moments, which live as long as the optimizer.
        for (int step = 0; step < 2; step++)
        {
            optimization.Run(() => batch, step, lr);
        }
        var statistics = DisposeScopeManager.Statistics;
        long live = statistics.ThreadTotalLiveCount, outside = statistics.CreatedOutsideScopeCount, inScope = statistics.CreatedInScopeCount;
        for (int step = 2; step < 5; step++)
        {
            optimization.Run(() => batch, step, lr);
        }
        log.WriteLine($"{string.Join(' ', configuration)}: {statistics.CreatedInScopeCount - inScope} tensors made in scopes over 3 steps, "
            + $"{statistics.CreatedOutsideScopeCount - outside} outside any scope, live {live} → {statistics.ThreadTotalLiveCount}");
        (statistics.CreatedInScopeCount - inScope).Should().BeGreaterThan(100, "the steps ran and were counted");
        statistics.CreatedOutsideScopeCount.Should().Be(outside, "a tensor made outside every scope is freed only by the garbage collector");
        statistics.ThreadTotalLiveCount.Should().Be(live, "every tensor a step makes is disposed when it ends");
    }

    /// <summary>
    /// What only a finalizer frees (TorchSharp's implicit scalars) is freed by the end of the step
    /// that dropped it, not at some later step, where its late free splits the heap's free blocks
    /// (<see cref="NativeGarbage"/>). A finalizable object dropped while the step reads its batch
    /// stands in for them.
    /// </summary>
    [Fact]
    public void A_step_ends_with_the_finalizers_of_its_garbage_run()
    {
        using var composed = new ComposedStep(["--set", "Umt:Model:Frames=4"]);

        for (int step = 0; step < 3; step++)
        {
            var finalized = new StrongBox<bool>();
            composed.Step.Run(() =>
            {
                DropFinalizable(finalized);
                return composed.Batch;
            }, step, composed.Plan.Schedule.PeakLr);
            finalized.Value.Should().BeTrue($"step {step} ended with the finalizers of what it dropped run");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // no local of the caller keeps the object reachable
    private static void DropFinalizable(StrongBox<bool> finalized) => _ = new Finalizable(finalized);

    private sealed class Finalizable(StrongBox<bool> finalized)
    {
        ~Finalizable() => finalized.Value = true;
    }

    /// <summary>The configured training step on the tiny preset at batch 2, with the dataset's first batch.</summary>
    private sealed class ComposedStep : IDisposable
    {
        private readonly ServiceProvider services;
        private readonly TrainingModel model;

        public ComposedStep(string[] configuration)
        {
            string[] sets = [.. configuration, "--set", "Umt:Run:BatchSize=2", "--set", "Umt:Run:DataWorkers=1"];
            services = RunnerServices.Build(new CommonArguments(RepositoryPaths.Root, [.. sets.Where((_, i) => i % 2 == 1 && sets[i - 1] == "--config")],
                [.. sets.Where((_, i) => i % 2 == 1 && sets[i - 1] == "--set")]));
            Plan = services.GetRequiredService<RunPlan>();
            var logger = services.GetRequiredService<ILogger>();
            model = TrainingModel.Create(Plan, logger);
            model.Train();
            Step = new OptimizationStep(model, Plan);
            using var dataset = Plan.CreateDataset(logger);
            using var pipeline = new BatchPipeline(dataset, Plan.Run.Seed, Plan.Run.BatchSize, default, workers: 1, new SampleFailures(logger, dataset.Info.Count, maxFraction: 0));
            Batch = pipeline.Next();
        }

        public RunPlan Plan { get; }

        public OptimizationStep Step { get; }

        public HostBatch Batch { get; }

        public void Dispose()
        {
            Step.Dispose();
            model.Dispose();
            services.Dispose();
        }
    }
}
