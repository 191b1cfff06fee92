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
            visual.to(ScalarType.BFloat16); // LayerNorms still compute in fp32 (ClipLayerNorm)
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
