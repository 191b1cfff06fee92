using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>The feed-forward's first half (xbert.py <c>BertIntermediate</c>): <c>dense</c> H → I, then exact (erf) GELU, BERT's <c>hidden_act="gelu"</c>.</summary>
internal sealed class BertIntermediate : nn.Module
{
    private readonly Linear dense;

    public BertIntermediate(BertConfig config) : base("intermediate")
    {
        dense = nn.Linear(config.Hidden, config.Intermediate);
        RegisterComponents();
    }

    /// <param name="x"><c>[B, L, H]</c>.</param>
    /// <returns><c>[B, L, I]</c>.</returns>
    public Tensor Forward(Tensor x) => nn.functional.gelu(dense.call(x));  // [B, L, I]  erf GELU, not the tanh approximation
}
