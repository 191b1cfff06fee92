using static TorchSharp.torch;

namespace Umt.Models.Layers;

/// <summary>
/// Per-sample stochastic depth on a residual branch, with the randomness supplied by the caller
/// (so a sample's pattern depends only on its key, not on batch layout or device).
/// </summary>
/// <remarks>
/// Same rule as timm <c>drop_path</c> with <c>scale_by_keep=True</c>: with keep probability
/// <c>1 - rate</c>, a kept sample's branch is divided by it so the expected output is unchanged.
/// timm draws <c>floor(keep_prob + U)</c>, i.e. keeps when <c>U &gt;= rate</c>; so does this.
/// </remarks>
public static class DropPath
{
    /// <summary>Zeroes the branch of samples whose noise is below <paramref name="rate"/> and rescales the rest.</summary>
    /// <param name="branch">Residual branch <c>[B, ...]</c>.</param>
    /// <param name="noise">Uniform [0, 1) draws <c>[B]</c>, one per sample.</param>
    /// <param name="rate">Drop probability in [0, 1].</param>
    public static Tensor Apply(Tensor branch, Tensor noise, double rate) =>
        branch.mul(Scale(noise, rate, branch));                               // [B, ...]

    /// <summary>
    /// The per-sample factor of <see cref="Apply"/>: 0 for a dropped sample, <c>1/(1 − rate)</c> for a
    /// kept one, shaped <c>[B, 1, ...]</c> to broadcast over <paramref name="like"/>. A residual block
    /// applies it fused (<c>x.addcmul(branch, scale)</c>), saving a full-size temporary per branch.
    /// </summary>
    public static Tensor Scale(Tensor noise, double rate, Tensor like)
    {
        var keepProbability = 1.0 - rate;
        var broadcastShape = new long[like.dim()];
        Array.Fill(broadcastShape, 1L);
        broadcastShape[0] = like.shape[0];

        var keep = noise.ge(rate).to(like.dtype).reshape(broadcastShape);     // [B, 1, ...]  1 = kept
        // Like timm, no rescaling when everything is dropped (rate 1): there is nothing to keep unbiased.
        return keepProbability > 0 ? keep.div(keepProbability) : keep;       // [B, 1, ...]
    }
}
