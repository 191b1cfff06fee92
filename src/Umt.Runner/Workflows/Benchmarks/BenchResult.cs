using System.Text.Json.Serialization;

namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>What <c>umt bench</c> measured, in one run, as rank 0 saw it (ratios are the numbers to compare across machines).</summary>
/// <param name="PhasesMs">Configured step per phase (<c>teacher_forward</c>, <c>masking</c>, <c>student_forward</c>, <c>text_forward</c>, <c>objectives_forward</c>, <c>backward</c>, <c>gradient_all_reduce</c>, <c>optimizer</c>, <c>step_cleanup</c>), medians over the timed steps, ms.</param>
/// <param name="BarePhasesMs">The hand-written step's phases, the same way (it marks no <c>step_cleanup</c>: it runs no end-of-step collection, and freeing its tensors stays in <c>bare_unattributed_ms</c>).</param>
/// <param name="UnattributedMs">Median over the timed steps of the configured step's time outside every phase: the batch's upload.</param>
/// <param name="BareUnattributedMs">The same for the hand-written step (freeing its tensors; its batch is uploaded once).</param>
/// <param name="HeapInUseSlopeKbPerStep">Slope of glibc's bytes in live allocations over the same steps as the RSS fit (a native leak shows here; fragmentation does not).</param>
/// <param name="HeapMbEvery50Steps">What glibc's malloc holds from the system (the main heap with its free holes, plus mmapped blocks), every 50 steps; empty under another allocator.</param>
/// <param name="HeapInUseMbEvery50Steps">glibc's bytes in live allocations, every 50 steps.</param>
/// <param name="WorldSize">Processes of the job; each ran the configured step on its own batch of <c>BatchSize</c>.</param>
/// <param name="SamplesPerSecond">Samples of the global batch (all processes) per second of the configured step.</param>
/// <param name="AllReduceShare">The gradient all-reduce's share of the configured step's median time (0 in one process).</param>
public sealed record BenchResult(
    [property: JsonPropertyName("step_ms")] double StepMs,
    [property: JsonPropertyName("bare_step_ms")] double BareStepMs,
    [property: JsonPropertyName("overhead_ratio")] double OverheadRatio,
    [property: JsonPropertyName("phases_ms")] IReadOnlyDictionary<string, double> PhasesMs,
    [property: JsonPropertyName("bare_phases_ms")] IReadOnlyDictionary<string, double> BarePhasesMs,
    [property: JsonPropertyName("unattributed_ms")] double UnattributedMs,
    [property: JsonPropertyName("bare_unattributed_ms")] double BareUnattributedMs,
    [property: JsonPropertyName("tokens_per_s")] double TokensPerSecond,
    [property: JsonPropertyName("gflop_per_step")] double GflopPerStep,
    [property: JsonPropertyName("achieved_gflops")] double AchievedGflops,
    [property: JsonPropertyName("gemm_gflops")] double GemmGflops,
    [property: JsonPropertyName("gemm_fraction")] double GemmFraction,
    [property: JsonPropertyName("rss_slope_kb_per_step")] double RssSlopeKbPerStep,
    [property: JsonPropertyName("rss_mb_end")] double RssMbEnd,
    [property: JsonPropertyName("rss_mb_every_50_steps")] IReadOnlyList<double> RssMbEvery50Steps,
    [property: JsonPropertyName("managed_committed_mb_every_50_steps")] IReadOnlyList<double> ManagedCommittedMbEvery50Steps,
    [property: JsonPropertyName("native_slope_kb_per_step")] double NativeSlopeKbPerStep,
    [property: JsonPropertyName("heap_in_use_slope_kb_per_step")] double HeapInUseSlopeKbPerStep,
    [property: JsonPropertyName("heap_mb_every_50_steps")] IReadOnlyList<double> HeapMbEvery50Steps,
    [property: JsonPropertyName("heap_in_use_mb_every_50_steps")] IReadOnlyList<double> HeapInUseMbEvery50Steps,
    [property: JsonPropertyName("allocator")] IReadOnlyDictionary<string, string> Allocator,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("world_size")] int WorldSize,
    [property: JsonPropertyName("samples_per_s")] double SamplesPerSecond,
    [property: JsonPropertyName("all_reduce_share")] double AllReduceShare,
    [property: JsonPropertyName("config")] string Config);
