using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using static TorchSharp.torch;

namespace Umt.Plugins.Masking.Tube;

/// <summary>
/// Hides the same <c>int(Ratio·P)</c> patches in every slot of a clip, so a hidden patch cannot be
/// recovered by copying it from a neighbouring frame (VideoMAE's argument for tubes). Mirrors
/// VideoMAE masking_generator.py <c>TubeMaskingGenerator</c>, drawn on the device from per-sample
/// keys instead of NumPy's global state in the data loader.
/// </summary>
internal sealed class TubeMaskingStrategy(double ratio) : IMaskingStrategy
{
    /// <summary>Visible tokens Nv = T·(P − int(Ratio·P)) of a clip.</summary>
    public static int VisibleCount(double ratio, TokenGrid grid) =>
        grid.T * (grid.PerSlot - ShuffledMask.HiddenCount(ratio, grid.PerSlot));

    public Tensor CreateMask(MaskingInput input)
    {
        using var scope = NewDisposeScope();
        int patches = input.Grid.PerSlot; // P
        // One spatial draw per clip (true = hidden) ...
        var slot = ShuffledMask.Draw(input.Keys, patches, ShuffledMask.HiddenCount(ratio, patches), input.Device); // [B, P] bool
        // ... tiled over the T slots; with t-major tokens, token t·P + p copies patch p
        // (np.tile(mask_per_frame, (frames, 1)).flatten() in the reference).
        return slot.repeat(1, input.Grid.T).MoveToOuterDisposeScope(); // [B, T·P] = [B, N] bool
    }
}
