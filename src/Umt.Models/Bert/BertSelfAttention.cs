using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>
/// Multi-head attention with separate <c>query</c>/<c>key</c>/<c>value</c> projections (xbert.py
/// <c>BertSelfAttention</c>), used both as self-attention and, with keys and values projected
/// from <c>encoder_width</c>-wide vision tokens, as cross-attention. Field names are HF's keys
/// under <c>attention.self.</c> / <c>crossattention.self.</c>.
/// </summary>
/// <remarks>
/// xbert computes <c>softmax(q·kᵀ/√dh + mask)</c>, applies dropout to those probabilities, then
/// multiplies by <c>v</c>. <c>scaled_dot_product_attention</c> with an additive float mask and
/// dropout <c>p</c> computes exactly that (same 1/√dh scale, dropout on the probabilities with
/// 1/(1−p) rescaling) and picks a fused kernel where the device has one, so it serves every mode.
/// An explicit softmax would only be needed to return attention maps (xbert's
/// <c>output_attentions</c> / <c>save_attention</c> for Grad-CAM), which nothing here asks for.
/// The attention dropout has no module of its own: SDPA applies it, while the module trains.
/// </remarks>
internal sealed class BertSelfAttention : nn.Module
{
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly long heads;
    private readonly double attentionDropout;

    /// <param name="hidden">Width of the queries and of the output.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="keyWidth">Width of the tokens keys and values are projected from (hidden for self-attention, encoder_width for cross-attention).</param>
    /// <param name="attentionDropout">Dropout on the attention probabilities while training.</param>
    public BertSelfAttention(long hidden, long heads, long keyWidth, double attentionDropout) : base("self")
    {
        this.heads = heads;
        this.attentionDropout = attentionDropout;
        query = nn.Linear(hidden, hidden);
        key = nn.Linear(keyWidth, hidden);
        value = nn.Linear(keyWidth, hidden);
        RegisterComponents();
    }

    /// <param name="x">Query tokens <c>[B, L, H]</c>.</param>
    /// <param name="context">Key/value tokens <c>[B, M, C]</c> (<paramref name="x"/> itself for self-attention).</param>
    /// <param name="additiveMask">Added to the scores <c>[B, 1, 1, M]</c> in <paramref name="x"/>'s dtype (0 = attend), or null.</param>
    /// <returns>Heads concatenated <c>[B, L, H]</c> (before the output projection).</returns>
    public Tensor Forward(Tensor x, Tensor context, Tensor? additiveMask)
    {
        var (batch, tokens, hidden) = (x.shape[0], x.shape[1], x.shape[2]);
        long keys = context.shape[1];
        long headWidth = hidden / heads;

        var q = query.call(x).view(batch, tokens, heads, headWidth).transpose(1, 2);        // [B, h, L, dh]
        var k = key.call(context).view(batch, keys, heads, headWidth).transpose(1, 2);     // [B, h, M, dh]
        var v = value.call(context).view(batch, keys, heads, headWidth).transpose(1, 2);   // [B, h, M, dh]

        double dropout = training ? attentionDropout : 0.0;
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, additiveMask, p: dropout); // [B, h, L, dh]
        return attended.transpose(1, 2).reshape(batch, tokens, hidden);                   // [B, L, H]
    }
}
