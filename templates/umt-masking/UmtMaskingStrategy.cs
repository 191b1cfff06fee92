using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using static TorchSharp.torch;

namespace UmtMasking;

/// <summary>
/// A starting point: in every frame, the int(P·Ratio) tokens with the smallest keyed uniform draws
/// are hidden. Each row's draw comes from its own sample key (seed, step, sample index), so a mask
/// is reproducible and the same however the batch is split across steps or processes.
/// </summary>
internal sealed class UmtMaskingStrategy(double ratio) : IMaskingStrategy
{
    public static int HiddenPerFrame(double ratio, TokenGrid grid) => (int)(grid.PerSlot * ratio);

    public Tensor CreateMask(MaskingInput input)
    {
        var grid = input.Grid;
        var draws = input.Keys.Uniform("umt-masking-name", [grid.T, grid.PerSlot], input.Device); // [B, T, P]
        var ranks = draws.argsort(-1).argsort(-1);                                                // [B, T, P], rank of each token in its frame
        return (ranks < HiddenPerFrame(ratio, grid)).reshape(input.Keys.Count, grid.Count);      // [B, N] bool, true = hidden
    }
}
