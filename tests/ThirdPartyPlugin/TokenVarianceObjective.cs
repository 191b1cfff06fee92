using Umt.Abstractions.Objectives;
using static TorchSharp.torch;

namespace Umt.ThirdParty.SampleObjective;

/// <summary>
/// A variance floor on the student's last-block tokens (the variance term of VICReg, Bardes et
/// al. 2022): mean over clips and channels of relu(Target − std over the visible tokens). It keeps
/// features from collapsing to a constant, and it is small enough to show everything a
/// third-party objective needs: declared needs, options, and a loss from the step's context.
/// </summary>
internal sealed class TokenVarianceObjective(TokenVarianceOptions options, int block) : IObjective
{
    public nn.Module? Head => null;

    public Tensor ComputeLoss(ObjectiveContext context)
    {
        var tokens = context.StudentBlocks[block];                 // [B, Nv, D]
        var std = (tokens.var(1) + 1e-4).sqrt();                    // [B, D]; epsilon keeps the gradient finite at zero variance
        return nn.functional.relu(options.Target - std).mean();     // []
    }

    public void Dispose()
    {
    }
}
