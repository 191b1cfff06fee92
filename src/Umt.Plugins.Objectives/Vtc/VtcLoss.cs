using Umt.Models.VisionLanguage;
using static TorchSharp.torch;

namespace Umt.Plugins.Objectives.Vtc;

/// <summary>
/// Video–text contrastive loss of stage 2 (umt-method.md §3.2), as pure functions. Mirrors the
/// reference's multi_modality/models/criterions.py <c>VTC_VTM_Loss.vtc_loss</c> (its <c>get_sim</c> is
/// <c>VisionLanguageHeads.Similarity</c>) and <c>get_mask(normalize=True)</c>.
/// The cross-process gather (<c>allgather_wgrad</c>) is the caller's: <see cref="Loss"/> scores whatever rows it is given.
/// </summary>
internal static class VtcLoss
{
    /// <summary>
    /// Symmetric contrastive loss with soft targets over equal ids:
    /// <c>targets = (ids == idsᵀ) / row sum</c>,
    /// <c>i2t = −mean_i Σ_j log_softmax(sim)_ij · targets_ij</c>, <c>t2i</c> the same on <c>simᵀ</c>,
    /// loss = <c>(i2t + t2i) / 2</c>, as criterions.py <c>vtc_loss</c>.
    /// </summary>
    /// <param name="vision"><c>[B, D]</c> or <c>[B, T, D]</c>, already gathered over processes.</param>
    /// <param name="text"><c>[B, D]</c>, row i the caption of vision row i.</param>
    /// <param name="ids">
    /// <c>[B]</c> integer ids: rows with equal ids (one video with several captions, or the same
    /// sample twice) are all positives of each other.
    /// </param>
    /// <param name="temperature">0-d temperature.</param>
    /// <returns>0-d loss, differentiable in vision, text and temperature.</returns>
    public static Tensor Loss(Tensor vision, Tensor text, Tensor ids, Tensor temperature)
    {
        long batch = vision.shape[0];
        if (text.shape[0] != batch || ids.dim() != 1 || ids.shape[0] != batch)
        {
            throw new ArgumentException(
                $"Expected {batch} captions and ids [{batch}], got text [{string.Join(", ", text.shape)}] and ids [{string.Join(", ", ids.shape)}].");
        }
        using var scope = NewDisposeScope();
        var simV2T = VisionLanguageHeads.Similarity(vision, text, temperature); // [B, B]
        // Autocast runs log_softmax in fp32; do the same for half inputs.
        if (simV2T.dtype is ScalarType.Float16 or ScalarType.BFloat16)
        {
            simV2T = simV2T.to(ScalarType.Float32); // [B, B]
        }
        var simT2V = simV2T.t(); // [B, B]

        Tensor targets;
        using (no_grad())
        {
            var column = ids.to(simV2T.device).view(-1, 1);                     // [B, 1]
            var same = eq(column, column.t()).to(simV2T.dtype);                  // [B, B] 1 where ids equal (diagonal included)
            targets = same / same.sum(1, keepdim: true);                         // [B, B] rows sum to 1
        }
        // The equal-id relation is symmetric and every row of a class has the same count, so the
        // normalised matrix is symmetric too: the reference reuses it for t2v (sim_t2v_targets = sim_v2t_targets).
        var lossI2T = -(nn.functional.log_softmax(simV2T, 1) * targets).sum(1).mean(); // []
        var lossT2I = -(nn.functional.log_softmax(simT2V, 1) * targets).sum(1).mean(); // []
        return ((lossI2T + lossT2I) / 2).MoveToOuterDisposeScope();                      // []
    }
}
