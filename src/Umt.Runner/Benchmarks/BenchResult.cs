using System.Text.Json.Serialization;

namespace Umt.Runner.Benchmarks;

/// <summary>What <c>umt bench</c> measured, in one run of one process (ratios are the numbers to compare across machines).</summary>
public sealed record BenchResult(
    [property: JsonPropertyName("step_ms")] double StepMs,
    [property: JsonPropertyName("bare_step_ms")] double BareStepMs,
    [property: JsonPropertyName("overhead_ratio")] double OverheadRatio,
    [property: JsonPropertyName("tokens_per_s")] double TokensPerSecond,
    [property: JsonPropertyName("gflop_per_step")] double GflopPerStep,
    [property: JsonPropertyName("achieved_gflops")] double AchievedGflops,
    [property: JsonPropertyName("gemm_gflops")] double GemmGflops,
    [property: JsonPropertyName("gemm_fraction")] double GemmFraction,
    [property: JsonPropertyName("rss_slope_kb_per_step")] double RssSlopeKbPerStep,
    [property: JsonPropertyName("rss_mb_end")] double RssMbEnd,
    [property: JsonPropertyName("rss_mb_every_50_steps")] IReadOnlyList<double> RssMbEvery50Steps,
    [property: JsonPropertyName("allocator")] IReadOnlyDictionary<string, string> Allocator,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("config")] string Config);
