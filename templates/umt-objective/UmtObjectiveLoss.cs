using Umt.Abstractions.Objectives;
using static TorchSharp.torch;

namespace UmtObjective;

/// <summary>
/// A starting point: the squared distance of each visible token's L2 norm from TargetNorm, on the
/// student's last block, averaged over tokens and clips. Replace it with your loss; the runner
/// multiplies it by the configured Weight and adds it to the other objectives.
/// </summary>
internal sealed class UmtObjectiveLoss(UmtObjectiveOptions options, int block) : IObjective
{
    /// <summary>A trainable head would be returned here; the runner trains it and saves it under the export name.</summary>
    public nn.Module? Head => null;

    public Tensor ComputeLoss(ObjectiveContext context)
    {
        var tokens = context.StudentBlocks[block];                  // [B, Nv, D]
        var norms = tokens.norm(-1);                                 // [B, Nv]
        return (norms - options.TargetNorm).pow(2).mean();           // []
    }

    public void Dispose()
    {
    }
}
