using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Clip;

/// <summary>
/// Multi-head self-attention with torch <c>nn.MultiheadAttention</c>'s parameter layout, as OpenAI
/// CLIP stores it: one packed <c>in_proj_weight</c> <c>[3D, D]</c> (rows q; k; v) with
/// <c>in_proj_bias</c>, and <c>out_proj</c>. Scale 1/sqrt(head width), no temperature.
/// </summary>
/// <remarks>
/// When the caller asks for weights, the CLS query's softmax row is computed apart and averaged
/// over heads: the row of what <c>nn.MultiheadAttention(need_weights=True)</c> returns by default
/// that the reference's teacher reads (unmasked_teacher single_modality/models/clip.py); the other
/// rows' weights are never used, so they are not materialised. The attention itself is the fused
/// <c>scaled_dot_product_attention</c>, except for bidirectional bf16 on the CPU (a bf16 teacher), where libtorch's fused kernel
/// runs 3–7× slower than two bf16 matmuls around a softmax at CLIP's sequence lengths (65 to 257
/// tokens, measured; docs/DECISIONS.md 2026-12-05).
/// </remarks>
public sealed class ClipAttention : nn.Module
{
    private readonly Parameter in_proj_weight;
    private readonly Parameter in_proj_bias;
    private readonly Linear out_proj;
    private readonly long heads;

    /// <summary>Creates attention over <paramref name="width"/> channels in <paramref name="heads"/> heads.</summary>
    public ClipAttention(long width, long heads) : base("attn")
    {
        if (heads <= 0 || width % heads != 0)
        {
            throw new ArgumentException($"Width {width} must be a positive multiple of the head count {heads}.", nameof(heads));
        }
        this.heads = heads;
        var weight = empty(3 * width, width);
        nn.init.xavier_uniform_(weight); // torch's MultiheadAttention._reset_parameters
        in_proj_weight = nn.Parameter(weight.DetachFromDisposeScope());
        in_proj_bias = nn.Parameter(zeros(3 * width).DetachFromDisposeScope());
        out_proj = nn.Linear(width, width);
        RegisterComponents();
    }

    /// <summary>Attends over the tokens of each sequence.</summary>
    /// <param name="x">Tokens <c>[B, L, D]</c>.</param>
    /// <param name="causal">Each token attends only to itself and earlier ones (CLIP's text tower).</param>
    /// <param name="clsWeights">When <paramref name="needClsWeights"/>, receives the first token's head-averaged softmax row <c>[B, L]</c> in fp32.</param>
    /// <param name="needClsWeights">Compute the first token's attention weights (bidirectional attention only).</param>
    /// <returns>Attended tokens <c>[B, L, D]</c>.</returns>
    public Tensor Forward(Tensor x, bool causal, out Tensor? clsWeights, bool needClsWeights = false)
    {
        if (causal && needClsWeights)
        {
            throw new ArgumentException("The CLS attention row is defined for bidirectional attention only.", nameof(needClsWeights));
        }
        var (batch, tokens, width) = (x.shape[0], x.shape[1], x.shape[2]);
        var headWidth = width / heads;
        double scale = 1.0 / Math.Sqrt(headWidth);

        var projected = nn.functional.linear(x, in_proj_weight, in_proj_bias);        // [B, L, 3D]
        var split = projected.reshape(batch, tokens, 3, heads, headWidth)             // [B, L, 3, H, Dh]
                             .permute(2, 0, 3, 1, 4);                                 // [3, B, H, L, Dh]
        var (q, k, v) = (split[0], split[1], split[2]);                               // [B, H, L, Dh] each

        Tensor attended;
        if (!causal && x.dtype == ScalarType.BFloat16 && x.device_type == DeviceType.CPU)
        {
            var scores = matmul(q, k.transpose(-2, -1)).mul_(scale);                  // [B, H, L, L]
            attended = matmul(scores.softmax(-1), v);                                 // [B, H, L, Dh]
        }
        else
        {
            attended = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: causal); // [B, H, L, Dh]
        }

        if (needClsWeights)
        {
            var clsScores = matmul(q[.., .., ..1], k.transpose(-2, -1)) * scale;     // [B, H, 1, L]
            // fp32 softmax: the weights feed a sampler, where bf16/fp16 underflow would zero tokens out.
            clsWeights = clsScores.to(ScalarType.Float32).softmax(-1).mean([1]).squeeze(1); // [B, L] fp32
        }
        else
        {
            clsWeights = null;
        }

        var merged = attended.transpose(1, 2).reshape(batch, tokens, width);         // [B, L, D]
        return out_proj.call(merged);                                                 // [B, L, D]
    }
}
