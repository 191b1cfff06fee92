using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Layers;

/// <summary>
/// The reference's weight initialisation for ViT encoders and decoders: every <c>Linear</c> gets a
/// xavier-uniform weight and a zero bias; LayerNorm keeps TorchSharp's defaults (weight 1, bias 0,
/// which is what the reference sets explicitly); Conv3d keeps its default.
/// </summary>
/// <remarks>
/// Mirrors <c>_init_weights</c> applied via <c>self.apply</c> in MCG-NJU/VideoMAE
/// modeling_pretrain.py (<c>PretrainVisionTransformerEncoder</c>, <c>PretrainVisionTransformerDecoder</c>)
/// and unmasked_teacher single_modality/models/modeling_pretrain_umt.py.
/// </remarks>
public static class ReferenceInit
{
    /// <summary>Re-initialises every <c>Linear</c> in <paramref name="module"/> and its descendants.</summary>
    public static void Apply(nn.Module module)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        module.apply(m =>
        {
            if (m is Linear linear)
            {
                nn.init.xavier_uniform_(linear.weight!);
                if (linear.bias is not null)
                {
                    nn.init.zeros_(linear.bias);
                }
            }
        });
    }
}
