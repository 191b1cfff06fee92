using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>
/// The additive attention masks of xbert under transformers 4.21 (UMT's vl.yml), shared by the
/// encoder and the answer decoder: 0 where a key may be attended to, a large negative value where not.
/// </summary>
internal static class BertAttentionMasks
{
    /// <summary>Added to the scores of masked text keys (xbert.py <c>get_extended_attention_mask</c>).</summary>
    private const double TextMaskValue = -10000.0;

    /// <summary>xbert's extended mask: −10000 where a key is padding, broadcast over heads and queries.</summary>
    /// <param name="mask"><c>[B, L]</c>, 1 = token, 0 = padding.</param>
    /// <returns><c>[B, 1, 1, L]</c>.</returns>
    public static Tensor Text(Tensor mask, ScalarType dtype)
    {
        var keep = mask.to(dtype);                                                       // [B, L]
        return ((1.0 - keep) * TextMaskValue).view(mask.shape[0], 1, 1, mask.shape[1]); // [B, 1, 1, L]
    }

    /// <summary>The decoder's (<c>is_decoder</c>): −10000 also where a key lies after its query.</summary>
    /// <param name="mask"><c>[B, L]</c>, 1 = token, 0 = padding.</param>
    /// <returns><c>[B, 1, L, L]</c>.</returns>
    public static Tensor CausalText(Tensor mask, ScalarType dtype)
    {
        long length = mask.shape[1];
        var causal = ones([length, length], dtype, mask.device).tril();                 // [L, L], 1 where key ≤ query
        var keep = causal.unsqueeze(0) * mask.to(dtype).unsqueeze(1);                    // [B, L, L]
        return ((1.0 - keep) * TextMaskValue).unsqueeze(1);                               // [B, 1, L, L]
    }

    /// <summary>
    /// transformers' <c>invert_attention_mask</c> for cross-attention keys (vision tokens, or the
    /// decoder's question states), as UMT's pinned 4.21.2 has it: the dtype's most negative finite
    /// value where masked (huggingface/transformers PR #17306, mid-2022, replaced the earlier −1e4 / −1e9 constants).
    /// </summary>
    /// <param name="mask"><c>[B, N]</c>, 1 = attend, 0 = ignore.</param>
    /// <returns><c>[B, 1, 1, N]</c>.</returns>
    public static Tensor Encoder(Tensor mask, ScalarType dtype)
    {
        var keep = mask.to(dtype);                                                       // [B, N]
        return ((1.0 - keep) * finfo(dtype).min).view(mask.shape[0], 1, 1, mask.shape[1]); // [B, 1, 1, N]
    }
}
