using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Umt.Runner.Cli;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Distributed;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>
/// The shipped recipes' peak learning rate as the planner resolves it for a job of N processes
/// (the launcher's view injected in-process): stage 2 as given at any world size
/// (multi_modality), stage 1 scaled by the global batch (single_modality/run_umt_pretraining.py).
/// </summary>
public sealed class RecipeLearningRateTests(ITestOutputHelper log)
{
    /// <summary>Plugins that need downloaded weights, swapped for ones that need none; the rates do not depend on them.</summary>
    private static readonly string[] NoWeights =
    [
        "Umt:Teacher:Use=none", "Umt:Masking:Use=random", "Umt:ImageMasking:Use=random", "Umt:Objectives:umt-alignment:Weight=0",
        "Umt:TextEncoder:Options:bert:Weights=", "Umt:Stage2:From=", "Umt:Distributed:Backend=mpi",
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(16)]
    public void Stage_two_b16_peaks_at_the_papers_rate_at_any_world_size(int worldSize)
    {
        var schedule = Plan("configs/umt-stage2-b16.json", worldSize).Schedule;

        schedule.EffectiveBatch.Should().Be(128 * worldSize);
        schedule.PeakLr.Should().Be(1e-4, "multi_modality/exp/pretraining/b16_25m.py's lr is used unscaled");
        schedule.MinLr.Should().Be(1e-6, "min_lr_multi 0.01 of it");
    }

    [Fact]
    public void Stage_one_b16_scales_by_the_global_batch()
    {
        var schedule = Plan("configs/umt-b16-k710.json", 2, "Umt:Objectives:mae-pixels:Weight=1").Schedule;

        schedule.EffectiveBatch.Should().Be(128, "64 per process × 2 processes");
        schedule.PeakLr.Should().BeApproximately(1.5e-4 * 128 / 256, 1e-18);
        schedule.MinLr.Should().BeApproximately(1e-5 * 128 / 256, 1e-18);
    }

    [Fact]
    public void Validate_json_prints_the_schedule_and_the_world_it_assumed()
    {
        var plan = Plan("configs/umt-stage2-b16.json", 2);
        var output = new StringWriter();

        ValidateCommand.RunJson(plan, output).Should().Be(0);

        log.WriteLine(output.ToString());
        var json = JsonDocument.Parse(output.ToString()).RootElement;
        json.GetProperty("world_size").GetInt32().Should().Be(2);
        var schedule = json.GetProperty("schedule");
        schedule.GetProperty("peak_lr").GetDouble().Should().Be(1e-4);
        schedule.GetProperty("min_lr").GetDouble().Should().Be(1e-6);
        schedule.GetProperty("lr_scaling").GetString().Should().Be("none");
        schedule.GetProperty("shape").GetString().Should().Be("floored-cosine");
        schedule.GetProperty("warmup_steps").GetInt64().Should().Be(plan.Schedule.StepsPerEpoch, "1 warm-up epoch");
        schedule.GetProperty("total_steps").GetInt64().Should().Be(10 * plan.Schedule.StepsPerEpoch, "10 epochs");
        schedule.GetProperty("global_batch").GetInt32().Should().Be(256);
    }

    private static RunPlan Plan(string recipe, int worldSize, params string[] sets)
    {
        using var services = RunnerServices.Build(new CommonArguments(RepositoryPaths.Root, [recipe], [.. NoWeights, .. sets]));
        var launch = new LaunchEnvironment(0, worldSize, 0, Math.Min(worldSize, 8), "test");
        return services.GetRequiredService<RunPlanner>().Plan(services.GetRequiredService<IConfiguration>(), RepositoryPaths.Root, () => launch);
    }
}
