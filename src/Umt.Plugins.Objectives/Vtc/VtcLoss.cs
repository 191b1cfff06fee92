using static TorchSharp.torch;

namespace Umt.Plugins.Objectives.Vtc;

/// <summary>
/// Video–text contrastive loss of stage 2 (umt-method.md §3.2), as pure functions. Mirrors the
/// reference's multi_modality/models/criterions.py: <c>get_sim</c> (with its <c>mean</c>
/// aggregation over frames), <c>VTC_VTM_Loss.vtc_loss</c> and <c>get_mask(normalize=True)</c>,
/// and umt.py <c>UMT.clip_contrastive_temperature</c>. The cross-process gather
/// (<c>allgather_wgrad</c>) is the caller's: <see cref="Loss"/> scores whatever rows it is given.
/// </summary>
internal static class VtcLoss
{
    /// <summary>Lower bound of the learnable temperature (umt.py <c>clip_contrastive_temperature</c>).</summary>
    public const double MinTemperature = 0.001;

    /// <summary>Upper bound of the learnable temperature.</summary>
    public const double MaxTemperature = 0.5;

    /// <summary>
    /// Vision→text similarity logits: both sides L2-normalised (<c>F.normalize</c>, eps 1e-12),
    /// the cosine of every frame with every caption averaged over frames, divided by the
    /// temperature. The text→vision matrix is the transpose.
    /// </summary>
    /// <param name="vision">
    /// <c>[B, D]</c>, or <c>[B, T, D]</c> per-frame features (training passes the pooled
    /// <c>[B, 1, D]</c>; evaluation with <c>keep_temporal</c> passes one row per frame).
    /// </param>
    /// <param name="text">Caption features <c>[B', D]</c>.</param>
    /// <param name="temperature">0-d temperature (already clamped, see <see cref="ClampTemperature"/>).</param>
    /// <returns><c>[B, B']</c>: <c>mean_t cos(v_t, w) / temp</c>.</returns>
    public static Tensor Similarity(Tensor vision, Tensor text, Tensor temperature)
    {
        if (vision.dim() is not (2 or 3) || text.dim() != 2 || vision.shape[^1] != text.shape[^1])
        {
            throw new ArgumentException(
                $"Expected vision [B, D] or [B, T, D] and text [B', D] of the same width, got [{string.Join(", ", vision.shape)}] and [{string.Join(", ", text.shape)}].");
        }
        using var scope = NewDisposeScope();
        var frames = vision.dim() == 2 ? vision.unsqueeze(1) : vision;       // [B, T, D]
        var v = nn.functional.normalize(frames, p: 2, dim: -1);             // [B, T, D]  unit rows
        var w = nn.functional.normalize(text, p: 2, dim: -1);               // [B', D]   unit rows
        // einsum("mld,nd->mln") then mean over l: averaging per-frame cosines (agg_method "mean"),
        // not the cosine of the averaged frame.
        var cosines = matmul(v, w.t().unsqueeze(0));                        // [B, T, B']
        return (cosines.mean([1]) / temperature).MoveToOuterDisposeScope(); // [B, B']
    }

    /// <summary>
    /// Clamps the temperature parameter to [<see cref="MinTemperature"/>, <see cref="MaxTemperature"/>]
    /// in place, outside autograd, and returns it.
    /// </summary>
    /// <remarks>
    /// The reference does exactly this at the start of every <c>UMT.forward</c>:
    /// <c>@torch.no_grad() ... self.temp.clamp_(min_val, max_val)</c>, i.e. it rewrites the
    /// parameter's stored value (so the optimizer and checkpoints see the clamped value) and the
    /// clamp is not part of the graph. This port does the same, which keeps the gradient intact:
    /// <c>∂loss/∂temp</c> reaches the parameter unchanged for every value, including at the bounds
    /// (an out-of-place <c>clamp</c> in the graph would instead give a zero gradient outside the
    /// range, and a parameter that the optimizer pushed past a bound would stay stuck there).
    /// Call it before the temperature is used in the step's forward: an in-place write to a tensor
    /// the graph already saved would make the backward fail on its version check.
    /// </remarks>
    /// <param name="temp">The 0-d temperature parameter (a leaf that requires grad is fine).</param>
    /// <returns><paramref name="temp"/> itself, now within range.</returns>
    public static Tensor ClampTemperature(Tensor temp)
    {
        using (no_grad())
        {
            // No dispose scope here: TorchSharp's in-place ops may hand back the caller's own
            // object, which a scope would dispose.
            _ = temp.clamp_(MinTemperature, MaxTemperature); // [] in place
        }
        return temp;
    }

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
        var simV2T = Similarity(vision, text, temperature); // [B, B]
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
