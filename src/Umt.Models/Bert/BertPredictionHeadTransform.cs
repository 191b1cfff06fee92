using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>The MLM head's transform (xbert.py <c>BertPredictionHeadTransform</c>): <c>dense</c> H → H, exact GELU, <c>LayerNorm</c>.</summary>
internal sealed class BertPredictionHeadTransform : nn.Module
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;

    public BertPredictionHeadTransform(BertConfig config) : base("transform")
    {
        dense = nn.Linear(config.Hidden, config.Hidden);
        LayerNorm = nn.LayerNorm(config.Hidden, eps: config.LayerNormEps);
        RegisterComponents();
    }

    /// <param name="x"><c>[B, L, H]</c>.</param>
    /// <returns><c>[B, L, H]</c>.</returns>
    public Tensor Forward(Tensor x) => LayerNorm.call(nn.functional.gelu(dense.call(x)));  // [B, L, H]
}
