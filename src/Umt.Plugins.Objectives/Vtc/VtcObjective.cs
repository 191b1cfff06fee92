using Umt.Abstractions.Objectives;
using static TorchSharp.torch;

namespace Umt.Plugins.Objectives.Vtc;

/// <summary>
/// Video–text contrastive loss (umt-method.md §3.2): the pooled clip embeddings against the
/// captions' <c>[CLS]</c> embeddings, soft targets over equal caption ids, symmetric
/// cross-entropy. Its projections and temperature are the runner's shared stage-2 heads, so it
/// owns no head of its own.
/// </summary>
internal sealed class VtcObjective : IObjective
{
    public nn.Module? Head => null;

    public string CheckpointPrefix => "vtc";

    public Tensor ComputeLoss(ObjectiveContext context)
    {
        var shared = VisionLanguageTraits.Require(context, "vtc");
        return VtcLoss.Loss(shared.VisionEmbedding, shared.TextEmbedding, shared.CaptionIds, shared.Temperature); // []
    }

    public void Dispose()
    {
    }
}
