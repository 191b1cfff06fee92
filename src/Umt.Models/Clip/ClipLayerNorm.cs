using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Clip;

/// <summary>
/// LayerNorm that always computes in fp32 and returns the input's dtype, with fp32 parameters.
/// Mirrors OpenAI clip/model.py <c>LayerNorm</c> ("subclass torch's LayerNorm to handle fp16"):
/// the published fp16 checkpoints keep LayerNorm in fp32 because a bf16/fp16 variance over a
/// wide row loses most of its bits. Field names <c>weight</c>/<c>bias</c> are the checkpoint keys.
/// </summary>
public sealed class ClipLayerNorm : nn.Module<Tensor, Tensor>
{
    /// <summary>OpenAI CLIP uses torch's default LayerNorm epsilon.</summary>
    public const double Eps = 1e-5;

    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly long width;

    /// <summary>Creates a LayerNorm over <paramref name="width"/> channels (weight 1, bias 0).</summary>
    public ClipLayerNorm(long width) : base("LayerNorm")
    {
        this.width = width;
        weight = nn.Parameter(ones(width).DetachFromDisposeScope());
        bias = nn.Parameter(zeros(width).DetachFromDisposeScope());
        RegisterComponents();
    }

    /// <param name="x">Tokens <c>[..., C]</c> in any floating dtype.</param>
    /// <returns>Normalised tokens <c>[..., C]</c> in the input's dtype.</returns>
    public override Tensor forward(Tensor x)
    {
        if (x.dtype == ScalarType.Float32 || (x.device_type == DeviceType.CPU && weight.dtype == ScalarType.Float32))
        {
            // libtorch's CPU kernel takes bf16/fp16 rows with fp32 parameters as they are and
            // accumulates in fp32: no cast of the rows there and back (FrozenClipVision keeps these fp32).
            return nn.functional.layer_norm(x, [width], weight, bias, Eps);                         // [..., C]
        }
        var normalised = nn.functional.layer_norm(x.to(ScalarType.Float32), [width], weight.to(ScalarType.Float32), bias.to(ScalarType.Float32), Eps); // [..., C] fp32
        return normalised.to(x.dtype);                                                                  // [..., C]
    }
}
