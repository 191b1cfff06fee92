using static TorchSharp.torch;

namespace Umt.Models.Layers;

/// <summary>
/// The fixed 1-D sinusoid position table of VideoMAE / UMT, indexed by the flattened (t, h, w)
/// token position: <c>PE[pos, 2i] = sin(pos / 10000^(2i/width))</c>,
/// <c>PE[pos, 2i+1] = cos(pos / 10000^(2i/width))</c>.
/// </summary>
/// <remarks>
/// Mirrors <c>get_sinusoid_encoding_table</c> in MCG-NJU/VideoMAE modeling_pretrain.py (and
/// unmasked_teacher single_modality/models/modeling_finetune.py), which builds the table in
/// float64 with numpy and only then converts to float32. Angles reach ~1.5e3 rad for 1568 tokens,
/// where float32 arithmetic would lose ~1e-4 of accuracy, so the table is built in float64 too.
/// </remarks>
public static class SinCosPositionTable
{
    /// <summary>Builds the float32 table <c>[positions, width]</c> on the CPU.</summary>
    public static Tensor Create(long positions, long width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(positions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);

        using var scope = NewDisposeScope();
        var position = arange(positions, dtype: ScalarType.Float64).unsqueeze(1);              // [P, 1]
        var channel = arange(width, dtype: ScalarType.Int64);                                   // [W]
        var pairIndex = channel.div(2, rounding_mode: RoundingMode.floor);                      // [W]  i for channels 2i and 2i+1
        var exponent = pairIndex.to(ScalarType.Float64).mul(2.0).div(width);                    // [W]  2i / width
        var angle = position.div(tensor(10000.0, dtype: ScalarType.Float64).pow(exponent));     // [P, W]
        var isEven = channel.remainder(2).eq(0);                                                // [W]
        var table = where(isEven, angle.sin(), angle.cos());                                    // [P, W]
        return table.to(ScalarType.Float32).MoveToOuterDisposeScope();                          // [P, W]
    }
}
