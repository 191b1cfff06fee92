using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Layers;

/// <summary>
/// Multi-head self-attention with BEiT-style biases: <c>qkv</c> has no bias of its own; the bias is
/// <c>cat(q_bias, 0, v_bias)</c>, so keys carry no bias (a key bias shifts every logit of a query
/// equally and cancels in the softmax).
/// </summary>
/// <remarks>
/// Mirrors unmasked_teacher single_modality/models/modeling_finetune.py <c>Attention</c> with
/// <c>qkv_bias=True</c>, <c>attn_head_dim=None</c>, no attention or projection dropout. The field
/// names are the reference's checkpoint keys. Scale is the default 1/sqrt(head width), which is
/// what <c>scaled_dot_product_attention</c> applies.
/// </remarks>
public sealed class Attention : nn.Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    private readonly Parameter q_bias;
    private readonly Parameter v_bias;
    private readonly Linear proj;
    private readonly long heads;

    /// <summary>Creates attention over tokens of <paramref name="width"/> channels split into <paramref name="heads"/> heads.</summary>
    public Attention(long width, long heads) : base(nameof(Attention))
    {
        if (heads <= 0 || width % heads != 0)
        {
            throw new ArgumentException($"Width {width} must be a positive multiple of the head count {heads}.", nameof(heads));
        }
        this.heads = heads;
        qkv = nn.Linear(width, 3 * width, hasBias: false);
        // Detached: the module owns its parameters, whatever dispose scope builds it.
        q_bias = nn.Parameter(zeros(width).DetachFromDisposeScope());
        v_bias = nn.Parameter(zeros(width).DetachFromDisposeScope());
        proj = nn.Linear(width, width);
        RegisterComponents();
    }

    /// <param name="x">Tokens <c>[B, N, D]</c>.</param>
    /// <returns>Attended tokens <c>[B, N, D]</c>.</returns>
    public override Tensor forward(Tensor x)
    {
        var (batch, tokens, width) = (x.shape[0], x.shape[1], x.shape[2]);
        var headWidth = width / heads;

        // Project to queries, keys and values with the (q, 0, v) bias.
        var keyBias = zeros_like(v_bias);                                            // [D]  fixed, no gradient
        var bias = cat([q_bias, keyBias, v_bias], 0);                               // [3D]
        var projected = nn.functional.linear(x, qkv.weight!, bias);                 // [B, N, 3D]
        var split = projected.reshape(batch, tokens, 3, heads, headWidth)           // [B, N, 3, H, Dh]
                             .permute(2, 0, 3, 1, 4);                               // [3, B, H, N, Dh]
        var (q, k, v) = (split[0], split[1], split[2]);                             // [B, H, N, Dh] each

        // softmax(q k^T / sqrt(Dh)) v per head, fused.
        var attended = nn.functional.scaled_dot_product_attention(q, k, v);         // [B, H, N, Dh]

        // Merge heads and project back.
        var merged = attended.transpose(1, 2).reshape(batch, tokens, width);        // [B, N, D]
        return proj.call(merged);                                                   // [B, N, D]
    }
}
