using Umt.Abstractions.Geometry;
using static TorchSharp.torch;

namespace Umt.Models.Layers;

/// <summary>
/// Resizes a position table laid out over one token grid to another: bicubic over (h, w), then
/// linear over t, each only where that part of the grid differs.
/// </summary>
/// <remarks>
/// Mirrors <c>get_sinusoid_encoding_table</c> in unmasked_teacher
/// single_modality/models/modeling_finetune.py, which builds the pre-training table (8 slots of
/// 14², or 16² for patch 14) and, when the fine-tuning grid differs, first resizes every slot's
/// H × W map with <c>F.interpolate(mode='bicubic', align_corners=False)</c>, then every (h, w, channel)
/// series over t with <c>F.interpolate(mode='linear')</c> (align_corners False by default). Both
/// are the same torch kernels here, in the table's own dtype. The reference's checkpoint-side
/// branch (run_class_finetuning.py, for checkpoints that hold a <c>pos_embed</c>) runs the two in
/// the other order; ours never hold one, so the model-side order is the one that applies.
/// </remarks>
public static class PositionTableInterpolation
{
    /// <summary>The table <c>[from.Count, D]</c> (t, h, w) t-major, resized to <c>[to.Count, D]</c> in the same order.</summary>
    public static Tensor Resize(Tensor table, TokenGrid from, TokenGrid to)
    {
        if (table.dim() != 2 || table.shape[0] != from.Count)
        {
            throw new ArgumentException(
                $"A position table over {from} must be [{from.Count}, D]; got [{string.Join(", ", table.shape)}].", nameof(table));
        }
        long width = table.shape[1];
        using var scope = NewDisposeScope();
        var grid = table.reshape(from.T, from.H, from.W, width);                                               // [T, H, W, D]
        if (from.H != to.H || from.W != to.W)
        {
            var maps = grid.permute(0, 3, 1, 2);                                                               // [T, D, H, W]
            maps = nn.functional.interpolate(maps, [to.H, to.W], mode: InterpolationMode.Bicubic, align_corners: false); // [T, D, H', W']
            grid = maps.permute(0, 2, 3, 1);                                                                   // [T, H', W', D]
        }
        if (from.T != to.T)
        {
            var series = grid.permute(1, 2, 3, 0).reshape(-1, width, from.T);                                 // [H'·W', D, T]
            series = nn.functional.interpolate(series, [to.T], mode: InterpolationMode.Linear, align_corners: false); // [H'·W', D, T']
            grid = series.reshape(to.H, to.W, width, to.T).permute(3, 0, 1, 2);                               // [T', H', W', D]
        }
        return grid.reshape(to.Count, width).contiguous().MoveToOuterDisposeScope();                           // [T'·H'·W', D]
    }
}
