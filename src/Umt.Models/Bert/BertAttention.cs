using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>
/// An attention sub-layer (xbert.py <c>BertAttention</c>): <c>self</c> (the projections and
/// attention) then <c>output</c> (dense, dropout, LayerNorm over the residual sum). Each layer has
/// one as <c>attention</c>; fusion layers have a second as <c>crossattention</c>.
/// </summary>
internal sealed class BertAttention : nn.Module
{
    private readonly BertSelfAttention @self;
    private readonly BertOutput output;

    /// <param name="config">The architecture.</param>
    /// <param name="keyWidth">Width of the key/value tokens: H for self-attention, <c>EncoderWidth</c> for cross-attention.</param>
    /// <param name="name">Module name: <c>attention</c> or <c>crossattention</c>.</param>
    public BertAttention(BertConfig config, long keyWidth, string name) : base(name)
    {
        @self = new BertSelfAttention(config.Hidden, config.Heads, keyWidth, config.AttentionDropout);
        output = new BertOutput(config.Hidden, config);
        RegisterComponents();
    }

    /// <param name="x">Query tokens and residual <c>[B, L, H]</c>.</param>
    /// <param name="context">Key/value tokens <c>[B, M, C]</c>.</param>
    /// <param name="additiveMask"><c>[B, 1, 1, M]</c> or null.</param>
    /// <returns><c>[B, L, H]</c>.</returns>
    public Tensor Forward(Tensor x, Tensor context, Tensor? additiveMask) =>
        output.Forward(@self.Forward(x, context, additiveMask), x);            // [B, L, H]
}
