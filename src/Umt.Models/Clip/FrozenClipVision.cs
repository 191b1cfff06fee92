using TorchSharp;
using Umt.Models.Weights;
using static TorchSharp.torch;

namespace Umt.Models.Clip;

/// <summary>
/// A CLIP vision tower loaded from a weight file as a frozen teacher: eval mode, no parameter
/// requires a gradient (so AdamW never sees it and autograd never records it), optionally cast to
/// bf16, on the run's device.
/// </summary>
public static class FrozenClipVision
{
    /// <summary>Builds the tower for <paramref name="config"/> and loads <paramref name="weightsPath"/> (any published layout).</summary>
    /// <param name="bf16">
    /// Cast once, here, to bfloat16 for a fast forward: QuickGELU's slope folded into the MLP
    /// weights first (in fp32, so each weight is rounded once), every LayerNorm's parameters kept
    /// fp32. The fp32 tower is the reference's computation as it stands.
    /// </param>
    /// <exception cref="StateDictMismatchException">The file's keys or shapes do not fit <paramref name="config"/>.</exception>
    public static ClipVisionTransformer Load(string weightsPath, ClipVisionConfig config, bool bf16, Device device)
    {
        var visual = new ClipVisionTransformer(config);
        using (var weights = ClipVisionWeights.Read(weightsPath))
        {
            StateDictLoader.Load(visual, weights.Tensors);
        }
        if (bf16)
        {
            foreach (var mlp in visual.modules().OfType<QuickGeluMlp>())
            {
                mlp.FoldSlope();
            }
            visual.to(ScalarType.BFloat16);
            foreach (var norm in visual.modules().OfType<ClipLayerNorm>())
            {
                norm.to(ScalarType.Float32); // bf16 rows, fp32 statistics and parameters (ClipLayerNorm)
            }
        }
        visual.to(device);
        visual.eval();
        foreach (var parameter in visual.parameters())
        {
            parameter.requires_grad = false;
        }
        return visual;
    }
}
