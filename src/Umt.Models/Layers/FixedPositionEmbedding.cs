using static TorchSharp.torch;

namespace Umt.Models.Layers;

/// <summary>
/// Holds a fixed sin-cos position table <c>[positions, width]</c> for its owner: the table follows
/// the owner's <c>.to(device)</c> / <c>.to(dtype)</c> but is never a <c>state_dict</c> entry.
/// </summary>
/// <remarks>
/// The reference keeps <c>pos_embed</c> as a plain attribute, not a buffer, so its checkpoints have
/// no such key and the table is regenerated on load (umt-method.md §2.1). TorchSharp 0.107 offers
/// no direct equivalent: a registered buffer would be saved, and a non-persistent buffer is neither
/// listed by <c>named_buffers</c> (it ignores <c>include_nonpersistent</c>) nor moved by
/// <c>.to()</c>. So the table stays unregistered and this module moves it itself.
/// </remarks>
public sealed class FixedPositionEmbedding : nn.Module
{
    private Tensor table;

    /// <summary>Creates the table for <paramref name="positions"/> tokens of <paramref name="width"/> channels.</summary>
    public FixedPositionEmbedding(long positions, long width) : this(SinCosPositionTable.Create(positions, width))
    {
    }

    /// <summary>Holds <paramref name="rows"/> <c>[positions, width]</c> (e.g. a table resized to another grid); takes ownership of it.</summary>
    public FixedPositionEmbedding(Tensor rows) : base(nameof(FixedPositionEmbedding))
    {
        // Owned by this module, not by whatever dispose scope the constructor runs in.
        table = rows.DetachFromDisposeScope();
    }

    /// <summary>The table <c>[positions, width]</c> on the owner's device and dtype.</summary>
    public Tensor Rows => table;

    /// <summary>Number of positions (rows).</summary>
    public long Positions => table.shape[0];

    /// <summary>Deliberately registers nothing: the table must not become a persistent buffer.</summary>
    protected override void RegisterComponents()
    {
    }

    /// <summary>Moves and converts the table with the rest of the module.</summary>
    protected override void _toEpilog(ScalarType? dtype, Device? device, bool non_blocking)
    {
        base._toEpilog(dtype, device, non_blocking);

        var targetType = dtype ?? table.dtype;
        var targetDevice = device ?? table.device;
        if (table.dtype == targetType && table.device_type == targetDevice.type && table.device_index == targetDevice.index)
        {
            return;
        }
        var moved = table.to(targetType, targetDevice, non_blocking: non_blocking).DetachFromDisposeScope();
        table.Dispose();
        table = moved;
    }

    /// <summary>Releases the table with the module.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            table.Dispose();
        }
        base.Dispose(disposing);
    }
}
