using System.Runtime.CompilerServices;

namespace Umt.Runner.Engine.Step;

/// <summary>
/// When the finalizers of TorchSharp's garbage run: only at the safe points a training or
/// evaluation loop names (the end of each step), never while its TorchSharp calls run.
/// </summary>
/// <remarks>
/// <para>
/// <b>The crash this prevents.</b> TorchSharp 0.107 turns numeric arguments into native
/// <c>Scalar</c>s (<c>a + b</c> is <c>add(b, 1)</c>; <c>x * 1.702</c>; every <c>add_</c>,
/// <c>addcmul_</c> and <c>addcdiv_</c> inside its AdamW) and hands their handle to libtorch without
/// keeping the wrapper alive: once the handle is read, nothing references the wrapper. A collection
/// started by another thread (a data worker allocating a batch) while the call runs finds the
/// wrapper dead, and the finalizer thread frees the native scalar while libtorch still reads it:
/// the run dies with "Expected false to be true" from <c>Scalar::toFloat</c>, or computes with a
/// garbage scalar. It killed the study's UMT run at step 434 (2026-12-06); a loop of
/// <c>ones(4) + ones(4)</c> beside a thread that allocates failed 64 times in 2.0 M additions.
/// The same class of defect is open upstream (TorchSharp PR #1434 disposing implicit scalars).
/// </para>
/// <para>
/// <b>The fix.</b> While a loop holds the finalizers (<see cref="HoldFinalizers"/>), the finalizer
/// thread waits inside the finalizer of a <see cref="Blocker"/>: collections still run (memory
/// is reclaimed, nothing grows the way a no-GC region made it grow beside the data workers), but what they
/// find dead is only queued. At each safe point (<see cref="CollectAfterStep"/>, when the loop's
/// thread has no native call running) the queue is let through, so a scalar is freed only after
/// the call that read it has returned, and the finalizer thread is parked again before the next step.
/// The same 2.0 M-addition loop with a safe point every 100 additions: no failure.
/// </para>
/// <para>
/// <b>The heap's shape.</b> Running the step's finalizers at its end also keeps glibc's heap the
/// same at the start of every step: a scalar freed mid-step lands inside the large blocks the
/// previous step freed and splits them, and the heap grew in jumps (1836 → 2047 MB over steps
/// 50–600 of <c>umt bench</c>'s default step) while its bytes in use stayed at 162 MB; with the
/// finalizers run at each step's end it stayed at 1491 MB. Generation 1, not 0, so scalars
/// promoted by a collection inside the step are freed too.
/// </para>
/// <para>
/// The hold is process-wide (there is one finalizer thread) and counted: nested and concurrent
/// loops share it, and it ends with the last of them. A thread other than the one at a safe point
/// may be inside a call while the queue is let through; that window is the safe point's few
/// milliseconds, not the whole step.
/// </para>
/// </remarks>
internal static class NativeGarbage
{
    /// <summary>How long a safe point waits for the finalizer thread to park again before going on without it (it parks when it gets there).</summary>
    private static readonly TimeSpan ParkTimeout = TimeSpan.FromSeconds(30);

    private static readonly Lock Sync = new();
    private static int holds;
    private static ManualResetEventSlim? gate; // set: the parked finalizer thread goes on

    /// <summary>Parks the finalizer thread until the returned hold (and every other) is disposed, except at <see cref="CollectAfterStep"/>.</summary>
    public static IDisposable HoldFinalizers()
    {
        lock (Sync)
        {
            if (holds++ == 0)
            {
                CollectAndRunFinalizers();
                gate = Park();
            }
        }
        return new Hold();
    }

    /// <summary>
    /// The safe point at the end of a step (its dispose scope closed, no native call running on this
    /// thread): a collection, then the finalizers of everything found dead so far; under a hold the
    /// finalizer thread is parked again before this returns.
    /// </summary>
    public static void CollectAfterStep()
    {
        lock (Sync)
        {
            gate?.Set();
            CollectAndRunFinalizers();
            gate = holds > 0 ? Park() : null;
        }
    }

    /// <summary>
    /// <paramref name="items"/> with the finalizers held while the caller works on each (a batch's
    /// forward) and <see cref="CollectAfterStep"/> between them: <c>foreach (var batch in NativeGarbage.Stepwise(batches))</c>.
    /// </summary>
    public static IEnumerable<T> Stepwise<T>(IEnumerable<T> items)
    {
        using var hold = HoldFinalizers();
        foreach (var item in items)
        {
            yield return item;
            CollectAfterStep();
        }
    }

    private static void CollectAndRunFinalizers()
    {
        GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
    }

    /// <summary>Queues a <see cref="Blocker"/> and waits until the finalizer thread waits inside it; returns the gate that lets it go on.</summary>
    private static ManualResetEventSlim Park()
    {
        var (parked, release) = DropBlocker();
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        parked.Wait(ParkTimeout);
        return release;
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // no local of the caller keeps the blocker reachable
    private static (ManualResetEventSlim Parked, ManualResetEventSlim Release) DropBlocker()
    {
        var parked = new ManualResetEventSlim();
        var release = new ManualResetEventSlim();
        _ = new Blocker(parked, release);
        return (parked, release);
    }

    private static void Release()
    {
        lock (Sync)
        {
            if (--holds == 0)
            {
                gate?.Set();
                gate = null;
            }
        }
    }

    /// <summary>Unreachable from birth; its finalizer is where the finalizer thread waits during a hold.</summary>
    /// <remarks>The events are never disposed: a blocker reached after its safe point's timeout still signals and waits on them.</remarks>
    private sealed class Blocker(ManualResetEventSlim parked, ManualResetEventSlim release)
    {
        ~Blocker()
        {
            parked.Set();
            release.Wait();
        }
    }

    private sealed class Hold : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                Release();
            }
        }
    }
}
