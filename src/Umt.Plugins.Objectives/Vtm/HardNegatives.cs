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
    /// Draws one hard negative video per text and one hard negative text per video.
    /// </summary>
    /// <remarks>
    /// <para>Weights, in the reference's order: <c>w = softmax(sim + 1e-4, dim=1)</c> (for videos per text
    /// the softmax runs over the rows of <c>simᵀ</c>), positives (equal ids, the diagonal included)
    /// set to 0, then NaN/±∞ set to 1e-2 — so a row whose similarities contain a NaN or +∞ (its
    /// softmax is NaN throughout) draws uniformly among its negatives. Computed here in float64 on
    /// the CPU (the reference uses the autocast softmax, fp32); the distribution is the same
    /// wherever the reference's is defined.</para>
    /// <para>Draw: the reference calls <c>torch.multinomial(w, 1)</c> on the global generator. Here
    /// row i takes one uniform u from its own keyed generator (<see cref="SampleKeys.Uniform"/>,
    /// purposes <see cref="VideoPurpose"/>/<see cref="TextPurpose"/>) and picks the first index whose
    /// cumulative weight exceeds <c>u · Σw</c> — inverse-CDF sampling, the same categorical
    /// distribution, and a zero weight (a positive) can never be picked. A row's draw depends only
    /// on its key and its own weights, never on the other rows' keys or its place in the batch.</para>
    /// <para>Degenerate rows. (1) Every candidate a positive: the relation "equal id" makes this a
    /// whole-batch condition (all ids equal, e.g. a local batch of one). The reference then calls
    /// multinomial on an all-zero row (the NaN→1e-2 rule does not apply: the zeros come from the
    /// positive mask, not a NaN), which raises on the CPU ("invalid multinomial distribution") and
    /// fails a device-side assert on CUDA. There is no negative to draw, so this throws an
    /// <see cref="InvalidOperationException"/>; callers ask <see cref="HasNegative"/> first and skip the VTM loss.
    /// (2) Negatives exist but all their weights underflow to 0 (one positive far more similar than
    /// every negative: a logit gap above ~745 in float64, possible only at temperatures near the 0.001
    /// clamp; the reference, in fp32, crashes from a gap of ~104). Here the row falls back to the
    /// limit of its distribution, the softmax over the negatives' logits alone (renormalised, so it
    /// cannot underflow), i.e. essentially the most similar negative.</para>
    /// </remarks>
    /// <param name="simV2T">Vision→text logits <c>[B, B]</c> of the local batch (<c>cos / temp</c>); read without gradient.</param>
    /// <param name="ids"><c>[B]</c> sample ids; equal ids are positives of each other.</param>
    /// <param name="keys">The local batch's keys (row i is global sample <c>keys.Indices[i]</c>).</param>
    /// <returns>
    /// <c>VideoForText[i]</c>: the negative video row for text i; <c>TextForVideo[i]</c>: the negative
    /// text row for video i. Both local row indices, never a positive of row i.
    /// </returns>
    public static (long[] VideoForText, long[] TextForVideo) Sample(Tensor simV2T, Tensor ids, SampleKeys keys)
    {
        int batch = keys.Count;
        if (simV2T.dim() != 2 || simV2T.shape[0] != batch || simV2T.shape[1] != batch || ids.dim() != 1 || ids.shape[0] != batch)
        {
            throw new ArgumentException(
                $"Expected similarities [{batch}, {batch}] and ids [{batch}] for {batch} keys, got [{string.Join(", ", simV2T.shape)}] and [{string.Join(", ", ids.shape)}].");
        }

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var sim = simV2T.detach().to(ScalarType.Float64, CPU);          // [B, B] float64 on the CPU
        var column = ids.to(ScalarType.Int64, CPU).view(-1, 1);          // [B, 1]
        var positive = eq(column, column.t());                           // [B, B] bool, symmetric, diagonal true
        if (!HasNegative(ids))
        {
            throw new InvalidOperationException(
                $"VTM has no negative to draw: all {batch} ids of the local batch are equal (the reference's torch.multinomial fails on this batch too). Skip the VTM loss for such a batch.");
        }

        // Row i of simᵀ is text i against every video: the reference's weights_t2v.
        var videoLogits = sim.t().contiguous();                                // [B, B] text × video
        var videoWeights = Weights(videoLogits, positive);                     // [B, B] text × video
        var textWeights = Weights(sim, positive);                              // [B, B] video × text
        var videoUniform = keys.Uniform(VideoPurpose, [1], CPU);               // [B, 1] fp32 in [0, 1)
        var textUniform = keys.Uniform(TextPurpose, [1], CPU);                 // [B, 1] fp32 in [0, 1)

        bool[] positives = positive.data<bool>().ToArray();                    // B·B row-major
        var videoForText = Draw(videoWeights, videoLogits, positives, videoUniform, batch);
        var textForVideo = Draw(textWeights, sim, positives, textUniform, batch);
        return (videoForText, textForVideo);
    }

    /// <summary>
    /// Whether any row has a negative. "Equal id" is an equivalence, so a batch either has
    /// negatives for every row or for none: none exactly when all ids are equal (a batch of one included).
    /// </summary>
    /// <param name="ids"><c>[B]</c> sample ids.</param>
    public static bool HasNegative(Tensor ids) => ids.shape[0] > 1 && !ids.eq(ids[0]).all().item<bool>();

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
    /// NaN/±∞ → 1e-2 (masked_fill_ before nan_to_num_, so a positive stays 0 even in a NaN row).
    /// </summary>
    private static Tensor Weights(Tensor logits, Tensor positive)
    {
        var weights = (logits + LogitShift).softmax(1);                                 // [B, B]
        weights = weights.masked_fill(positive, 0.0);                                  // [B, B] positives 0
        return weights.nan_to_num(NonFiniteWeight, NonFiniteWeight, NonFiniteWeight);  // [B, B]
    }

    /// <summary>One inverse-CDF draw per row; see <see cref="Sample"/> for the fallback of an underflowed row.</summary>
    private static long[] Draw(Tensor weights, Tensor logits, bool[] positives, Tensor uniform, int batch)
    {
        double[] w = weights.data<double>().ToArray();   // B·B row-major
        double[] l = logits.data<double>().ToArray();    // B·B row-major
        float[] u = uniform.data<float>().ToArray();     // B
        var picks = new long[batch];
        var row = new double[batch];
        for (int i = 0; i < batch; i++)
        {
            Array.Copy(w, i * batch, row, 0, batch);
            if (row.Sum() <= 0)
            {
                Renormalised(l.AsSpan(i * batch, batch), positives.AsSpan(i * batch, batch), row);
            }
            picks[i] = Pick(row, u[i]);
        }
        return picks;
    }

    /// <summary>
    /// The underflow fallback: <c>exp(l_j − max_neg l)</c> over the negatives (positives 0), or 1 for
    /// every negative when their logits have no finite maximum.
    /// </summary>
    private static void Renormalised(ReadOnlySpan<double> logits, ReadOnlySpan<bool> positives, double[] row)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < row.Length; j++)
        {
            if (!positives[j] && logits[j] > max)
            {
                max = logits[j];
            }
        }
        for (int j = 0; j < row.Length; j++)
        {
            double value = double.IsFinite(max) ? Math.Exp(logits[j] - max) : 1.0;
            row[j] = positives[j] || double.IsNaN(value) ? 0.0 : value;
        }
    }

    /// <summary>
    /// The first index whose running sum of weights exceeds <c>u · Σw</c>. Only positive weights
    /// move the running sum, so a zero-weight index is never returned.
    /// </summary>
    private static long Pick(double[] row, float u)
    {
        double total = 0;
        foreach (double weight in row)
        {
            total += weight > 0 ? weight : 0;
        }
        double target = u * total; // u < 1, so target < total
        double cumulative = 0;
        long last = -1;
        for (int j = 0; j < row.Length; j++)
        {
            if (row[j] <= 0)
            {
                continue;
            }
            last = j;
            cumulative += row[j];
            if (target < cumulative)
            {
                return j;
            }
        }
        return last; // unreachable unless rounding put target at total: the last positive weight
    }
}
