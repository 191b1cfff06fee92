using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using static TorchSharp.torch;

namespace Umt.Plugins.Masking.Random;

/// <summary>
/// Hides <c>int(Ratio·N)</c> tokens per clip, chosen uniformly among all N = T·P tokens, so slots
/// may hide different patches. Mirrors VideoMAE masking_generator.py <c>RandomMaskingGenerator</c>,
/// drawn on the device from per-sample keys instead of NumPy's global state in the data loader.
/// </summary>
internal sealed class RandomMaskingStrategy(double ratio) : IMaskingStrategy
{
    /// <summary>Visible tokens Nv = N − int(Ratio·N) of a clip.</summary>
    public static int VisibleCount(double ratio, TokenGrid grid) =>
        grid.Count - ShuffledMask.HiddenCount(ratio, grid.Count);

    public Tensor CreateMask(MaskingInput input)
    {
        int tokens = input.Grid.Count; // N
        // One draw over all N tokens per clip (true = hidden).
        return ShuffledMask.Draw(input.Keys, tokens, ShuffledMask.HiddenCount(ratio, tokens), input.Device); // [B, N] bool
    }
}
