using static TorchSharp.torch;

namespace Umt.Models.Clip;

/// <summary>
/// OpenAI CLIP's pre-norm transformer block: <c>x + attn(ln_1(x))</c>, then <c>x + mlp(ln_2(x))</c>
/// (clip/model.py <c>ResidualAttentionBlock</c>). Field names are OpenAI's keys.
/// </summary>
public sealed class ResidualAttentionBlock : nn.Module
{
    private readonly ClipAttention attn;
    private readonly ClipLayerNorm ln_1;
    private readonly QuickGeluMlp mlp;
    private readonly ClipLayerNorm ln_2;

    /// <summary>Creates a block of <paramref name="width"/> channels and <paramref name="heads"/> heads.</summary>
    public ResidualAttentionBlock(long width, long heads) : base(nameof(ResidualAttentionBlock))
    {
        attn = new ClipAttention(width, heads);
        ln_1 = new ClipLayerNorm(width);
        mlp = new QuickGeluMlp(width);
        ln_2 = new ClipLayerNorm(width);
        RegisterComponents();
    }

    /// <param name="x">Residual stream <c>[B, L, D]</c>.</param>
    /// <param name="causal">Causal self-attention (text tower).</param>
    /// <param name="clsWeights">Receives the first token's head-averaged attention row <c>[B, L]</c> fp32 when <paramref name="needClsWeights"/>.</param>
    /// <param name="needClsWeights">Compute that row.</param>
    /// <returns>Residual stream <c>[B, L, D]</c>.</returns>
    public Tensor Forward(Tensor x, bool causal, out Tensor? clsWeights, bool needClsWeights = false)
    {
        x = x + attn.Forward(ln_1.call(x), causal, out clsWeights, needClsWeights);   // [B, L, D]
        return x + mlp.call(ln_2.call(x));                                             // [B, L, D]
    }
}
