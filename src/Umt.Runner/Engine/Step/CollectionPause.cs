using System.Runtime;

namespace Umt.Runner.Engine.Step;

/// <summary>
/// Holds garbage collection off while a block of TorchSharp calls runs (a no-GC region with a
/// budget for the managed wrappers the block allocates), and lets it resume at the end.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 passes implicit <c>Scalar</c>s to native code by handle without keeping them
/// alive (<c>add_(eps)</c> inside AdamW, <c>x * 1.702</c> in QuickGELU); a collection during the
/// call lets the finalizer free a scalar that libtorch is still reading ("Expected false to be
/// true" from <c>Scalar::toFloat</c>, seen after ~60–170 steps of the teacher's training). With no
/// collection inside the block, a scalar can only be finalized after its call has returned. When
/// the region cannot start (or the block outgrows its budget) the runtime collects as usual.
/// The same class of crash is known upstream (DiffSharp#183's <c>scalar_to_tensor</c> assertion,
/// TorchSharp PR #1434 disposing implicit scalars); this is a mitigation until TorchSharp keeps its
/// scalars alive, not a proof. It suits loops that read their data between steps (the tiny
/// teacher's): around the main training step, whose data workers allocate batches concurrently,
/// it made resident memory grow by 29 MB per step in <c>umt bench</c> (1.3 → 4.8 GB over 150 steps;
/// flat without it), so the main step does not use it.
/// </remarks>
internal sealed class CollectionPause : IDisposable
{
    /// <summary>Managed allocations the step itself makes (tensor wrappers, scalars, closures) with room to spare.</summary>
    private const long Budget = 32L * 1024 * 1024;

    private readonly bool started;

    public CollectionPause()
    {
        try
        {
            started = GC.TryStartNoGCRegion(Budget);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException)
        {
            started = false; // already in a region, or a budget this runtime does not allow
        }
    }

    public void Dispose()
    {
        if (started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            GC.EndNoGCRegion();
        }
    }
}
