using Umt.Abstractions.Randomness;
using static TorchSharp.torch;

namespace Umt.Plugins.Objectives.Vtm;

/// <summary>
/// Video–text matching of stage 2 (umt-method.md §3.2), as pure functions: the hard-negative
/// draw and the 2-way matching loss. Mirrors the reference's multi_modality/models/criterions.py
/// <c>VTC_VTM_Loss.vtm_loss</c> with <c>vtm_hard_neg=True</c> (the stage-2 configs' setting). The
/// reference works on the local batch (no gather), and so does this: each process draws its
/// negatives among its own rows.
/// </summary>
internal static class HardNegatives
{
    /// <summary>Purpose of the uniform that picks text row i's negative video.</summary>
    public const string VideoPurpose = "vtm-negative-video";

    /// <summary>Purpose of the uniform that picks video row i's negative text.</summary>
    public const string TextPurpose = "vtm-negative-text";

    /// <summary>
    /// Added to the logits before the softmax, as the reference does (<c>F.softmax(sim + 1e-4)</c>).
    /// Softmax ignores a constant shift, so it changes nothing but rounding; kept to mirror the code.
    /// </summary>
    private const double LogitShift = 1e-4;

    /// <summary>The reference's <c>nan_to_num_(nan=1e-2, posinf=1e-2, neginf=1e-2)</c> value.</summary>
    private const double NonFiniteWeight = 1e-2;

    /// <summary>
    /// Draws one hard negative video per text and one hard negative text per video, on the
    /// similarities' device, with no read back to the host.
    /// </summary>
    /// <remarks>
    /// <para>Weights, in the reference's order: <c>w = softmax(sim + 1e-4, dim=1)</c> (for videos per text
    /// the softmax runs over the rows of <c>simᵀ</c>), positives (equal ids, the diagonal included)
    /// set to 0, then NaN/±∞ set to 1e-2 — so a row whose similarities contain a NaN or +∞ (its
    /// softmax is NaN throughout) draws uniformly among its negatives. Computed in float64 (the
    /// reference uses the autocast softmax, fp32); the distribution is the same wherever the
    /// reference's is defined.</para>
    /// <para>Draw: the reference calls <c>torch.multinomial(w, 1)</c> on the global generator. Here
    /// row i takes one uniform u from its own keyed generator (<see cref="SampleKeys.Uniform"/>,
    /// purposes <see cref="VideoPurpose"/>/<see cref="TextPurpose"/>) and picks the first index whose
    /// cumulative weight exceeds <c>u · Σw</c> (the count of cumulative sums ≤ <c>u · Σw</c>) —
    /// inverse-CDF sampling, the same categorical distribution; a zero weight (a positive) leaves the
    /// running sum where it was, so it can never be the first to pass the target. A row's draw
    /// depends only on its key and its own weights, never on the other rows' keys or its place in
    /// the batch. The uniforms are drawn on the host from the keys (no device read) and uploaded.</para>
    /// <para>Degenerate rows. (1) Every candidate a positive: the relation "equal id" makes this a
    /// whole-batch condition (all ids equal, e.g. a local batch of one). The reference then calls
    /// multinomial on an all-zero row (the NaN→1e-2 rule does not apply: the zeros come from the
    /// positive mask, not a NaN), which raises on the CPU ("invalid multinomial distribution") and
    /// fails a device-side assert on CUDA. There is no negative to draw, so this throws an
    /// <see cref="InvalidOperationException"/> (decided from the host's ids); callers ask
    /// <see cref="HasNegative"/> first and skip the VTM loss.
    /// (2) Negatives exist but all their weights underflow to 0 (one positive far more similar than
    /// every negative: a logit gap above ~745 in float64, possible only at temperatures near the 0.001
    /// clamp; the reference, in fp32, crashes from a gap of ~104). Here the row falls back to the
    /// limit of its distribution, the softmax over the negatives' logits alone (shifted by their
    /// maximum, so it cannot underflow), i.e. essentially the most similar negative; a row whose
    /// negatives have no finite maximum draws uniformly among them.</para>
    /// </remarks>
    /// <param name="simV2T">Vision→text logits <c>[B, B]</c> of the local batch (<c>cos / temp</c>); read without gradient.</param>
    /// <param name="ids">The B sample ids on the host; equal ids are positives of each other.</param>
    /// <param name="keys">The local batch's keys (row i is global sample <c>keys.Indices[i]</c>).</param>
    /// <returns>
    /// <c>VideoForText[i]</c>: the negative video row for text i; <c>TextForVideo[i]</c>: the negative
    /// text row for video i. Both <c>[B]</c> int64 local row indices on the similarities' device, never a positive of row i.
    /// </returns>
    public static (Tensor VideoForText, Tensor TextForVideo) Sample(Tensor simV2T, IReadOnlyList<long> ids, SampleKeys keys)
    {
        int batch = keys.Count;
        if (simV2T.dim() != 2 || simV2T.shape[0] != batch || simV2T.shape[1] != batch || ids.Count != batch)
        {
            throw new ArgumentException(
                $"Expected similarities [{batch}, {batch}] and {batch} ids for {batch} keys, got [{string.Join(", ", simV2T.shape)}] and {ids.Count} ids.");
        }
        if (!HasNegative(ids))
        {
            throw new InvalidOperationException(
                $"VTM has no negative to draw: all {batch} ids of the local batch are equal (the reference's torch.multinomial fails on this batch too). Skip the VTM loss for such a batch.");
        }

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var device = simV2T.device;
        var sim = simV2T.detach().to(ScalarType.Float64);                      // [B, B] float64
        var column = tensor(ids.ToArray(), device: device).view(-1, 1);        // [B, 1]
        var positive = eq(column, column.t());                                 // [B, B] bool, symmetric, diagonal true

        // Row i of simᵀ is text i against every video: the reference's weights_t2v.
        var videoLogits = sim.t();                                             // [B, B] text × video
        var videoForText = Draw(videoLogits, positive, keys.Uniform(VideoPurpose, [1], device)); // [B]
        var textForVideo = Draw(sim, positive, keys.Uniform(TextPurpose, [1], device));          // [B]
        return (videoForText.MoveToOuterDisposeScope(), textForVideo.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Whether any row has a negative. "Equal id" is an equivalence, so a batch either has
    /// negatives for every row or for none: none exactly when all ids are equal (a batch of one included).
    /// </summary>
    /// <param name="ids">The B sample ids, on the host.</param>
    public static bool HasNegative(IReadOnlyList<long> ids) => ids.Skip(1).Any(id => id != ids[0]);

    /// <summary>
    /// Matching loss: cross-entropy of the <c>itm_head</c> logits, label 1 (match) for the first B
    /// rows (the positive pairs) and 0 for the next 2B (video-negative then text-negative pairs),
    /// averaged over all 3B rows (<c>F.cross_entropy(vtm_logits, vtm_labels)</c>).
    /// </summary>
    /// <param name="itmLogits"><c>[3B, 2]</c>.</param>
    /// <returns>0-d loss.</returns>
    public static Tensor Loss(Tensor itmLogits)
    {
        if (itmLogits.dim() != 2 || itmLogits.shape[1] != 2 || itmLogits.shape[0] == 0 || itmLogits.shape[0] % 3 != 0)
        {
            throw new ArgumentException(
                $"Expected matching logits [3B, 2], got [{string.Join(", ", itmLogits.shape)}].", nameof(itmLogits));
        }
        long pairs = itmLogits.shape[0] / 3; // B
        using var scope = NewDisposeScope();
        var labels = cat([
            ones(pairs, ScalarType.Int64, itmLogits.device),        // [B]  positive pairs
            zeros(2 * pairs, ScalarType.Int64, itmLogits.device),   // [2B] negatives
        ]);                                                          // [3B]
        // Autocast runs cross_entropy in fp32; do the same for half inputs.
        var logits = itmLogits.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? itmLogits.to(ScalarType.Float32) : itmLogits; // [3B, 2]
        return nn.functional.cross_entropy(logits, labels).MoveToOuterDisposeScope(); // []
    }

    /// <summary>
    /// The reference's sampling weights: <c>softmax(logits + 1e-4, 1)</c>, positives → 0, then
    /// NaN/±∞ → 1e-2 (masked_fill_ before nan_to_num_, so a positive stays 0 even in a NaN row);
    /// a row whose weights all underflowed takes <see cref="Renormalised"/> instead.
    /// </summary>
    private static Tensor Weights(Tensor logits, Tensor positive)
    {
        var weights = (logits + LogitShift).softmax(1);                                 // [B, B]
        weights = weights.masked_fill(positive, 0.0);                                  // [B, B] positives 0
        weights = weights.nan_to_num(NonFiniteWeight, NonFiniteWeight, NonFiniteWeight); // [B, B]
        var underflowed = weights.sum(1, keepdim: true).le(0);                         // [B, 1] bool
        return where(underflowed, Renormalised(logits, positive), weights);            // [B, B]
    }

    /// <summary>
    /// The underflow fallback: <c>exp(l_j − max_neg l)</c> over the negatives (positives and NaN
    /// logits 0), or 1 for every negative when their logits have no finite maximum.
    /// </summary>
    private static Tensor Renormalised(Tensor logits, Tensor positive)
    {
        var negatives = logits.nan_to_num(double.NegativeInfinity, double.PositiveInfinity, double.NegativeInfinity)
            .masked_fill(positive, double.NegativeInfinity);                           // [B, B] positives and NaN −∞
        var max = negatives.amax([1], keepdim: true);                                  // [B, 1]
        var shifted = (negatives - max).exp();                                         // [B, B] in [0, 1]
        var fallback = where(max.isfinite(), shifted, ones_like(shifted));             // [B, B]
        return fallback.masked_fill(positive, 0.0);                                    // [B, B] positives 0
    }

    /// <summary>
    /// One inverse-CDF draw per row: the first index whose running sum of weights exceeds
    /// <c>u · Σw</c>, counted as the running sums at or below the target.
    /// </summary>
    /// <param name="uniform"><c>[B, 1]</c> fp32 in [0, 1).</param>
    private static Tensor Draw(Tensor logits, Tensor positive, Tensor uniform)
    {
        var cumulative = Weights(logits, positive).cumsum(1);                          // [B, B] running sums
        var target = uniform.to(ScalarType.Float64) * cumulative.narrow(1, logits.shape[1] - 1, 1); // [B, 1] u · Σw < Σw
        // u < 1 keeps the target below the total, so some running sum exceeds it; the clamp only
        // guards against the impossible index B.
        return cumulative.le(target).sum(1).clamp_max(logits.shape[1] - 1);           // [B] int64
    }
}
