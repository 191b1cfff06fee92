using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Clip;

/// <summary>
/// Multi-head self-attention with torch <c>nn.MultiheadAttention</c>'s parameter layout, as OpenAI
/// CLIP stores it: one packed <c>in_proj_weight</c> <c>[3D, D]</c> (rows q; k; v) with
/// <c>in_proj_bias</c>, and <c>out_proj</c>. Scale 1/sqrt(head width), no temperature.
/// </summary>
/// <remarks>
/// When the caller asks for weights, the softmax is computed explicitly and averaged over heads,
/// which is what <c>nn.MultiheadAttention(need_weights=True)</c> returns by default and what the
/// reference's teacher reads (unmasked_teacher single_modality/models/clip.py); otherwise the
/// fused <c>scaled_dot_product_attention</c> runs.
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
    /// <param name="headAveragedWeights">When not null, receives the head-averaged softmax weights <c>[B, L, L]</c>.</param>
    /// <returns>Attended tokens <c>[B, L, D]</c>.</returns>
    public Tensor Forward(Tensor x, bool causal, out Tensor? headAveragedWeights, bool needWeights = false)
    {
        var (batch, tokens, width) = (x.shape[0], x.shape[1], x.shape[2]);
        var headWidth = width / heads;

        var projected = nn.functional.linear(x, in_proj_weight, in_proj_bias);        // [B, L, 3D]
        var split = projected.reshape(batch, tokens, 3, heads, headWidth)             // [B, L, 3, H, Dh]
                             .permute(2, 0, 3, 1, 4);                                 // [3, B, H, L, Dh]
        var (q, k, v) = (split[0], split[1], split[2]);                               // [B, H, L, Dh] each

        Tensor attended;
        if (needWeights)
        {
            var scores = matmul(q, k.transpose(-2, -1)) * (1.0 / Math.Sqrt(headWidth)); // [B, H, L, L]
            if (causal)
            {
                var future = ones(tokens, tokens, dtype: ScalarType.Bool, device: x.device).triu(1); // [L, L]
                scores = scores.masked_fill(future, double.NegativeInfinity);                       // [B, H, L, L]
            }
            // fp32 softmax: the weights feed a sampler, where bf16/fp16 underflow would zero tokens out.
            var weights = scores.to(ScalarType.Float32).softmax(-1);                 // [B, H, L, L] fp32
            headAveragedWeights = weights.mean([1]);                                  // [B, L, L]
            attended = matmul(weights.to(v.dtype), v);                                // [B, H, L, Dh]
        }
        else
        {
            headAveragedWeights = null;
            attended = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: causal); // [B, H, L, Dh]
        }

        var merged = attended.transpose(1, 2).reshape(batch, tokens, width);         // [B, L, D]
        return out_proj.call(merged);                                                 // [B, L, D]
    }
}
