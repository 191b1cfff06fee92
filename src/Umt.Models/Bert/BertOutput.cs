using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>
/// BERT's post-norm residual output: <c>LayerNorm(dropout(dense(x)) + residual)</c>. xbert.py has
/// it twice with the same fields, as <c>BertSelfOutput</c> (<c>attention.output</c>,
/// <c>crossattention.output</c>: H → H) and <c>BertOutput</c> (<c>output</c>: intermediate → H).
/// </summary>
internal sealed class BertOutput : nn.Module
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;

    public BertOutput(long inputWidth, BertConfig config) : base("output")
    {
        dense = nn.Linear(inputWidth, config.Hidden);
        LayerNorm = nn.LayerNorm(config.Hidden, eps: config.LayerNormEps);
        dropout = nn.Dropout(config.HiddenDropout);
        RegisterComponents();
    }

    /// <param name="x">Sub-layer output <c>[B, L, I]</c>.</param>
    /// <param name="residual">The sub-layer's input <c>[B, L, H]</c>.</param>
    /// <returns><c>[B, L, H]</c>.</returns>
    public Tensor Forward(Tensor x, Tensor residual)
    {
        var projected = dropout.call(dense.call(x));                      // [B, L, H]
        return LayerNorm.call(projected + residual);                       // [B, L, H]
    }
}
