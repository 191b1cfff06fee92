using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using TorchSharp;
using Umt.Runner.Cli;
using Umt.Runner.Composition;
using Umt.Runner.Training;
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
        using var services = Services(configuration);
        var plan = services.GetRequiredService<RunPlan>();
        using var model = TrainingModel.Create(plan, services.GetRequiredService<ILogger>());
        model.Train();
        using var optimization = new OptimizationStep(model, plan);
        var batch = FirstBatch(services);

        // Two warm-up steps create AdamW's moments, which live as long as the optimizer.
        for (int step = 0; step < 2; step++)
        {
            optimization.Run(() => batch, step, plan.Schedule.PeakLr);
        }
        var statistics = DisposeScopeManager.Statistics;
        long live = statistics.ThreadTotalLiveCount, outside = statistics.CreatedOutsideScopeCount, inScope = statistics.CreatedInScopeCount;
        for (int step = 2; step < 5; step++)
        {
            optimization.Run(() => batch, step, plan.Schedule.PeakLr);
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
        using var services = Services(["--set", "Umt:Model:Frames=4"]);
        var plan = services.GetRequiredService<RunPlan>();
        using var model = TrainingModel.Create(plan, services.GetRequiredService<ILogger>());
        model.Train();
        using var optimization = new OptimizationStep(model, plan);
        var batch = FirstBatch(services);

        for (int step = 0; step < 3; step++)
        {
            var finalized = new StrongBox<bool>();
            optimization.Run(() =>
            {
                DropFinalizable(finalized);
                return batch;
            }, step, plan.Schedule.PeakLr);
            finalized.Value.Should().BeTrue($"step {step} ended with the finalizers of what it dropped run");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // no local of the caller keeps the object reachable
    private static void DropFinalizable(StrongBox<bool> finalized) => _ = new Finalizable(finalized);

    private sealed class Finalizable(StrongBox<bool> finalized)
    {
        ~Finalizable() => finalized.Value = true;
    }

    private static ServiceProvider Services(string[] configuration)
    {
        string[] sets = [.. configuration, "--set", "Umt:Run:BatchSize=2", "--set", "Umt:Run:DataWorkers=1"];
        return RunnerServices.Build(new CommonArguments(RepositoryPaths.Root, [.. sets.Where((_, i) => i % 2 == 1 && sets[i - 1] == "--config")],
            [.. sets.Where((_, i) => i % 2 == 1 && sets[i - 1] == "--set")]));
    }

    private static HostBatch FirstBatch(ServiceProvider services)
    {
        var (plan, logger) = (services.GetRequiredService<RunPlan>(), services.GetRequiredService<ILogger>());
        using var dataset = plan.CreateDataset(logger);
        using var pipeline = new BatchPipeline(dataset, plan.Run.Seed, plan.Run.BatchSize, default, workers: 1, new SampleFailures(logger, dataset.Info.Count, maxFraction: 0));
        return pipeline.Next();
    }
}
