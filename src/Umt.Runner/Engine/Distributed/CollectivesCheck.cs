using System.Diagnostics;
using Umt.Abstractions.Distributed;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Distributed;

/// <summary>One operation of <see cref="CollectivesCheck"/>: whether every process got the exact expected values.</summary>
public sealed record CollectiveResult(string Operation, bool Passed, string Detail);

/// <summary>What <c>umt distributed check</c> found, as rank 0 reports it.</summary>
/// <param name="AllReduceGigabytesPerSecond">Bus bandwidth of a large float32 all-reduce, <c>2(W−1)/W · bytes / time</c> (the convention of nccl-tests), GB/s.</param>
/// <param name="AllReduceLatencyMicroseconds">Median time of an all-reduce of one float32, µs: the fixed cost every gradient bucket pays on this transport.</param>
/// <param name="Transport">The nodes of the ranks and the transport that joins them, so bandwidth and latency can be read per transport.</param>
public sealed record CollectivesReport(
    int WorldSize, string Launcher, IReadOnlyList<CollectiveResult> Results, double AllReduceMegabytes, double AllReduceMilliseconds, double AllReduceGigabytesPerSecond,
    double AllReduceLatencyMicroseconds, JobTransport Transport)
{
    public bool Passed => Results.All(r => r.Passed);
}

/// <summary>
/// A self-test of the job's collectives on values whose results are known exactly (small
/// integers in float32): all-reduce sum, mean and max, all-gather order, broadcast from the last
/// rank, barrier, and an all-gather with gradient; then the time of a one-element and of a large
/// all-reduce (latency and bandwidth of the transport <see cref="JobTransport"/> names). Every
/// process checks its own results and the verdicts are combined, so a process that received wrong
/// values fails the whole check. For users wiring a new cluster, as <c>mpirun … hello</c> or nccl-tests.
/// </summary>
public static class CollectivesCheck
{
    /// <summary>Small all-reduces timed for the latency: enough that the median is steady over TCP, still well under a second.</summary>
    public const int LatencyRepeats = 200;

    public static CollectivesReport Run(ICollectives collectives, string launcher, int megabytes, IReadOnlyDictionary<string, string?> environment)
    {
        int w = collectives.WorldSize, r = collectives.Rank;
        var results = new List<CollectiveResult>
        {
            Check("all-reduce sum", () =>
            {
                using var t = tensor(new float[] { r + 1, 2 * (r + 1) });                       // [2]
                collectives.AllReduce(t, ReduceOperation.Sum);
                return Expect(t, [w * (w + 1) / 2f, w * (w + 1)]);
            }),
            Check("all-reduce mean", () =>
            {
                using var t = tensor(new float[] { 2 * r, 4 });                                 // [2]
                collectives.AllReduce(t, ReduceOperation.Mean);
                return Expect(t, [w - 1, 4]);
            }),
            Check("all-reduce max (int64)", () =>
            {
                using var t = tensor(new long[] { r, -r });                                      // [2]
                collectives.AllReduce(t, ReduceOperation.Max);
                var got = t.data<long>().ToArray();
                return got[0] == w - 1 && got[1] == 0 ? null : $"got [{string.Join(", ", got)}], expected [{w - 1}, 0]";
            }),
            Check("all-gather", () =>
            {
                using var local = tensor(new float[] { 10 * r, 10 * r + 1, 10 * r + 2 }).view(1, 3); // [1, 3]
                using var gathered = collectives.AllGather(local);                               // [W, 3]
                return Expect(gathered.view(-1), [.. Enumerable.Range(0, w).SelectMany(p => new float[] { 10 * p, 10 * p + 1, 10 * p + 2 })]);
            }),
            Check("broadcast", () =>
            {
                using var t = r == w - 1 ? tensor(new float[] { 7, -3, 0.5f }) : zeros(3);        // [3]
                collectives.Broadcast(t, root: w - 1);
                return Expect(t, [7, -3, 0.5f]);
            }),
            Check("barrier", () =>
            {
                collectives.Barrier();
                return null;
            }),
            Check("all-gather with gradient", () =>
            {
                // loss = Σ_rows (row · weight) over the gathered rows, weight = (row index in the gathered batch + 1);
                // d loss / d local row j = (r·B + j + 1) summed over the W processes that each scored the whole batch = W·(r·B + j + 1).
                using var local = full(2, 1, r + 1f, requires_grad: true);                      // [2, 1]
                using var gathered = GatherWithGradient.Apply(collectives, local);                // [2W, 1]
                using var weight = arange(1, 2 * w + 1, ScalarType.Float32).view(-1, 1);         // [2W, 1]
                using var loss = (gathered * weight).sum();                                       // []
                loss.backward();
                return Expect(local.grad!.view(-1), [w * (2 * r + 1), w * (2 * r + 2)]);
            }),
        };

        var transport = JobTransport.Discover(collectives, environment);
        double latencyUs = MedianMilliseconds(collectives, ones(1), repeats: LatencyRepeats, synchronise: false) * 1000;

        // The bandwidth: the same large buffer reduced a few times after one warm-up, each time started together.
        long elements = Math.Max(1, (long)megabytes * (1 << 20) / sizeof(float));
        double ms = MedianMilliseconds(collectives, ones(elements), repeats: 5, synchronise: true);
        double bytes = elements * (double)sizeof(float);
        double busGbps = w == 1 ? 0 : 2.0 * (w - 1) / w * bytes / (ms / 1000) / 1e9;

        // A process passes only if every process passed each operation.
        using var verdicts = tensor(results.Select(x => x.Passed ? 0L : 1L).ToArray());
        collectives.AllReduce(verdicts, ReduceOperation.Max);
        var failedSomewhere = verdicts.data<long>().ToArray();
        var combined = results.Select((x, i) => failedSomewhere[i] == 0 || !x.Passed ? x : x with { Passed = false, Detail = "failed on another process" }).ToList();
        return new CollectivesReport(w, launcher, combined, bytes / (1 << 20), ms, busGbps, latencyUs, transport);
    }

    /// <summary>
    /// Median time of <paramref name="repeats"/> sum all-reduces of <paramref name="buffer"/> (disposed here) after one
    /// warm-up. A barrier before each large one lines the processes up; the small ones run back to back
    /// as gradient buckets do, since a barrier costs as much as what it would line up.
    /// </summary>
    private static double MedianMilliseconds(ICollectives collectives, Tensor buffer, int repeats, bool synchronise)
    {
        using var _ = buffer;
        collectives.AllReduce(buffer, ReduceOperation.Sum);
        var times = new List<double>(repeats);
        for (int i = 0; i < repeats; i++)
        {
            if (synchronise)
            {
                collectives.Barrier();
            }
            var clock = Stopwatch.StartNew();
            collectives.AllReduce(buffer, ReduceOperation.Sum);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static CollectiveResult Check(string operation, Func<string?> run)
    {
        using var scope = NewDisposeScope();
        string? problem = run();
        return new CollectiveResult(operation, problem is null, problem ?? "exact");
    }

    private static string? Expect(Tensor actual, float[] expected)
    {
        var got = actual.data<float>().ToArray();
        return got.SequenceEqual(expected) ? null : $"got [{string.Join(", ", got)}], expected [{string.Join(", ", expected)}]";
    }
}
