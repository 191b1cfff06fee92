using System.Text.Json.Serialization;
using Umt.Runner.Engine.Composition;

namespace Umt.Runner.Cli;

/// <summary><c>umt validate --json</c>: the plan's schedule and the job it was resolved for (snake_case, as <c>umt bench --json</c>).</summary>
public sealed record ValidationSummary(
    [property: JsonPropertyName("valid")] bool Valid,
    [property: JsonPropertyName("world_size")] int WorldSize,
    [property: JsonPropertyName("rank")] int Rank,
    [property: JsonPropertyName("launcher")] string Launcher,
    [property: JsonPropertyName("schedule")] ScheduleSummary Schedule,
    [property: JsonPropertyName("warnings")] IReadOnlyList<string> Warnings)
{
    public static ValidationSummary Of(RunPlan plan)
    {
        var s = plan.Schedule;
        return new ValidationSummary(true, plan.Launch.WorldSize, plan.Launch.Rank, plan.Launch.Launcher,
            new ScheduleSummary(s.Scaling, s.Shape, s.PeakLr, s.MinLr, s.WarmupLr, s.WarmupSteps, s.TotalSteps, s.StepsPerEpoch, s.EffectiveBatch),
            plan.Warnings);
    }
}

/// <param name="GlobalBatch">Clips per optimizer step over every process (what <c>linear</c> scaling multiplies by).</param>
public sealed record ScheduleSummary(
    [property: JsonPropertyName("lr_scaling")] string LrScaling,
    [property: JsonPropertyName("shape")] string Shape,
    [property: JsonPropertyName("peak_lr")] double PeakLr,
    [property: JsonPropertyName("min_lr")] double MinLr,
    [property: JsonPropertyName("warmup_lr")] double WarmupLr,
    [property: JsonPropertyName("warmup_steps")] long WarmupSteps,
    [property: JsonPropertyName("total_steps")] long TotalSteps,
    [property: JsonPropertyName("steps_per_epoch")] long StepsPerEpoch,
    [property: JsonPropertyName("global_batch")] int GlobalBatch);
