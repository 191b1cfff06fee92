using Umt.Abstractions.Distributed;
using Umt.Abstractions.Objectives;
using static TorchSharp.torch;

namespace Umt.Plugins.Objectives.Vtc;

/// <summary>
/// Video–text contrastive loss (umt-method.md §3.2): the clip embeddings (pooled, or one per frame
/// when the mask hides nothing, cosines averaged over the frames) against the
/// captions' <c>[CLS]</c> embeddings, soft targets over equal caption ids, symmetric
/// cross-entropy. Its projections and temperature are the runner's shared stage-2 heads, so it
/// owns no head of its own. Across processes it scores the gathered batch, as the reference's
/// <c>vtc_loss(all_gather=True)</c>: every row against every caption of the job.
/// </summary>
internal sealed class VtcObjective : IObjective
{
    public nn.Module? Head => null;

    public Tensor ComputeLoss(ObjectiveContext context)
    {
        var shared = VisionLanguageTraits.Require(context, "vtc");
        var collectives = context.Collectives;
        var vision = GatherWithGradient.Apply(collectives, shared.VisionEmbedding); // [W·B, T, E] (T = 1 when pooled)
        var text = GatherWithGradient.Apply(collectives, shared.TextEmbedding);     // [W·B, E]
        var ids = collectives.AllGather(shared.CaptionIds);                          // [W·B]
        return VtcLoss.Loss(vision, text, ids, shared.Temperature);                 // []
    }

    public void Dispose()
    {
    }
}
