using Umt.Abstractions.Geometry;
using Umt.Abstractions.Objectives;
using Umt.Models.Decoders;
using static TorchSharp.torch;

namespace Umt.Plugins.Objectives.MaePixels;

/// <summary>
/// VideoMAE's pre-training loss: a decoder predicts the pixels of the hidden tokens from the
/// visible ones, scored by the element-mean squared error against <see cref="PixelTargets"/>.
/// Mirrors VideoMAE engine_for_pretraining.py <c>train_one_epoch</c>
/// (<c>labels = videos_patch[bool_masked_pos]</c>, <c>loss_func = nn.MSELoss()</c>).
/// </summary>
/// <param name="decoder">The trainable head.</param>
/// <param name="block">The student block whose visible tokens the decoder reads (the factory declares it).</param>
/// <param name="student">Tubelet and patch size that cut the clip into target cubes.</param>
/// <param name="normalizeTarget">Per-cube normalised targets (<see cref="PixelTargets.Compute"/>).</param>
internal sealed class MaePixelsObjective(VideoMaeDecoder decoder, int block, StudentSpec student, bool normalizeTarget) : IObjective
{
    public nn.Module Head => decoder;

    public Tensor ComputeLoss(ObjectiveContext context)
    {
        var visible = context.StudentBlocks[block]; // [B, Nv, D]
        var selection = context.Selection; // [B, N] mask as visible / hidden positions

        var prediction = decoder.call(visible, selection); // [B, Nm, 3·tubelet·p·p], hidden tokens in ascending order
        var targets = PixelTargets.Compute(context.Batch.Video, student.Tubelet, student.PatchSize, normalizeTarget); // [B, N, 3·tubelet·p·p]
        // labels = videos_patch[bool_masked_pos]: hidden tokens in ascending order, the decoder's order.
        var hidden = selection.Hidden(targets); // [B, Nm, 3·tubelet·p·p]

        if (hidden.shape[1] == 0)
        {
            // Ratio 0 hides nothing, so there is nothing to reconstruct: a zero loss that keeps the
            // graph (the mean of an empty MSE would be NaN). `umt bench` uses this to time the
            // encoder and decoder over all tokens.
            return prediction.sum() * 0; // []
        }
        return nn.functional.mse_loss(prediction, hidden); // [] mean over B·Nm·3·tubelet·p·p elements
    }

    public void Dispose() => decoder.Dispose();
}
