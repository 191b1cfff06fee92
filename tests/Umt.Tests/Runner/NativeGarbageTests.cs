using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Umt.Runner.Engine.Step;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary>Tests that time the finalizer thread: run alone, so another test's safe points cannot run finalizers in the middle of theirs.</summary>
[CollectionDefinition(nameof(FinalizerTiming), DisableParallelization = true)]
public sealed class FinalizerTiming;

/// <summary>
/// <see cref="NativeGarbage"/>: under a hold, what the collector finds dead is finalized only at a
/// safe point, which is what keeps TorchSharp's implicit scalars alive for the native call that reads them.
/// </summary>
[Collection(nameof(FinalizerTiming))]
public sealed class NativeGarbageTests(ITestOutputHelper log)
{
    /// <summary>Long enough for an unparked finalizer thread to run a queued finalizer many times over.</summary>
    private static readonly TimeSpan FinalizerGrace = TimeSpan.FromMilliseconds(300);

    [Fact]
    public void Under_a_hold_garbage_is_finalized_at_the_safe_point_and_not_before()
    {
        using (NativeGarbage.HoldFinalizers())
        {
            var finalized = DropAndCollect();
            finalized.Value.Should().BeFalse("the collector found it dead, but the finalizer thread is parked until the safe point");

            NativeGarbage.CollectAfterStep();
            finalized.Value.Should().BeTrue("the safe point lets the finalizers of everything found dead run before it returns");

            DropAndCollect().Value.Should().BeFalse("the finalizer thread is parked again after the safe point");
        }

        var after = new StrongBox<bool>();
        DropFinalizable(after);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers(); // would wait forever if the hold had left the finalizer thread parked
        after.Value.Should().BeTrue("with the hold disposed the finalizer thread runs freely");
    }

    [Fact]
    public void Holds_nest_and_the_finalizer_thread_goes_free_with_the_last()
    {
        var outer = NativeGarbage.HoldFinalizers();
        NativeGarbage.HoldFinalizers().Dispose();
        var finalized = DropAndCollect();
        finalized.Value.Should().BeFalse("the outer hold still parks the finalizer thread");

        outer.Dispose();
        outer.Dispose(); // a second dispose releases nothing more
        GC.WaitForPendingFinalizers();
        finalized.Value.Should().BeTrue("the last hold released the finalizer thread");
    }

    /// <summary>
    /// The defect: TorchSharp's <c>a + b</c> passes a temporary native scalar (<c>alpha = 1</c>) that a
    /// collection started by another thread can finalize while libtorch reads it ("Expected false to
    /// be true" from <c>Scalar::toFloat</c>, or a wrong sum). On the code before the hold, this loop
    /// failed 64 times in 2.0 M additions (15 s) beside the same allocating thread; a chunk of
    /// additions between safe points here is a training step there.
    /// </summary>
    [Fact]
    public void Tensor_arithmetic_beside_an_allocating_thread_never_reads_a_freed_scalar()
    {
        const int Chunks = 2_000, AdditionsPerChunk = 100;
        using var a = ones(4);
        using var b = ones(4);
        int collectionsBefore = GC.CollectionCount(0);
        var stop = new CancellationTokenSource();
        var allocator = new Thread(() =>
        {
            var kept = new byte[64][];
            for (long i = 0; !stop.IsCancellationRequested; i++)
            {
                kept[i & 63] = new byte[16 * 1024]; // a data worker's batches: collections start on this thread
            }
        });
        allocator.Start();
        long wrong = 0, failed = 0;
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        try
        {
            foreach (int chunk in NativeGarbage.Stepwise(Enumerable.Range(0, Chunks)))
            {
                using var scope = NewDisposeScope();
                for (int i = 0; i < AdditionsPerChunk; i++)
                {
                    try
                    {
                        if ((a + b)[0].item<float>() != 2f)
                        {
                            wrong++;
                        }
                    }
                    catch (ExternalException e)
                    {
                        failed++;
                        failures.Add(e.Message.Split('\n')[0]);
                    }
                }
            }
        }
        finally
        {
            stop.Cancel();
            allocator.Join();
        }
        int collections = GC.CollectionCount(0) - collectionsBefore;
        log.WriteLine($"{Chunks * AdditionsPerChunk} additions in {clock.Elapsed.TotalSeconds:F1} s beside {collections} collections: {wrong} wrong, {failed} failed {string.Join(" | ", failures.Distinct())}");

        collections.Should().BeGreaterThan(100, "the allocating thread started collections while the additions ran");
        failed.Should().Be(0, "no scalar was freed while libtorch read it");
        wrong.Should().Be(0);
    }

    /// <summary>Drops a finalizable object, collects, and gives a finalizer thread that is not parked time to run it.</summary>
    private static StrongBox<bool> DropAndCollect()
    {
        var finalized = new StrongBox<bool>();
        DropFinalizable(finalized);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        Thread.Sleep(FinalizerGrace);
        return finalized;
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // no local of the caller keeps the object reachable
    private static void DropFinalizable(StrongBox<bool> finalized) => _ = new Finalizable(finalized);

    private sealed class Finalizable(StrongBox<bool> finalized)
    {
        ~Finalizable() => finalized.Value = true;
    }
}
