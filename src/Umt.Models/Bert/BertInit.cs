using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>HF <c>BertPreTrainedModel._init_weights</c> as in xbert.py (which draws every embedding row, [PAD]'s included).</summary>
internal static class BertInit
{
    /// <summary>Linear and Embedding weights N(0, 0.02), Linear biases 0; LayerNorm weights 1 and biases 0 and <c>cls.predictions.bias</c> 0 are their constructors' values.</summary>
    public static void Apply(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var module in model.modules())
        {
            switch (module)
            {
                case Linear linear:
                    nn.init.normal_(linear.weight!, 0, BertConfig.InitializerRange);
                    nn.init.zeros_(linear.bias!);
                    break;
                case Embedding embedding:
                    nn.init.normal_(embedding.weight!, 0, BertConfig.InitializerRange);
                    break;
            }
        }
    }
}
