using TorchSharp.Modules;
using Umt.Abstractions.Objectives;
using Umt.Models.VisionLanguage;
using static TorchSharp.torch;

namespace Umt.Plugins.Objectives.Vtm;

/// <summary>
/// Video–text matching with hard negatives (umt-method.md §3.2; criterions.py <c>vtm_loss</c>):
/// one negative clip per caption and one negative caption per clip drawn from the softmaxed
/// contrastive similarities (positives excluded), the fusion layers over the B positive and 2B
/// negative pairs, and a 2-way <c>itm_head</c> on the fused <c>[CLS]</c>.
/// </summary>
internal sealed class VtmObjective(Linear itmHead) : IObjective
{
    /// <summary>The reference's key of the matching head.</summary>
    public const string Prefix = "itm_head";

    public nn.Module? Head => itmHead;

    public string? CheckpointPrefix => Prefix;

    public Tensor ComputeLoss(ObjectiveContext context)
    {
        var shared = VisionLanguageTraits.Require(context, "vtm");
        if (!HardNegatives.HasNegative(shared.HostCaptionIds))
        {
            // Every row a positive of every other (one caption, or a batch of one): no negative
            // exists, the reference's multinomial fails here. No matching signal, zero loss, but
            // kept in the graph so the step's backward and the head's gradient stay defined.
            return itmHead.weight!.sum() * 0;                                            // []
        }

        // 1. hard negatives from the same similarities VTC scores, without gradient
        Tensor similarity;
        using (no_grad())
        {
            similarity = VisionLanguageHeads.Similarity(shared.VisionEmbedding, shared.TextEmbedding, shared.Temperature); // [B, B]
        }
        var (negativeVideo, negativeText) = HardNegatives.Sample(similarity, shared.HostCaptionIds, context.Batch.Keys); // [B], [B]

        // 2. pairs: positives, (negative clip, caption), (clip, negative caption)
        var vision = shared.VisionTokens;                                                 // [B, Nv, D]
        var text = shared.TextHidden;                                                     // [B, L, W]
        var attention = shared.Text.AttentionMask;                                        // [B, L]
        var visionPairs = cat([vision, vision.index_select(0, negativeVideo), vision]);   // [3B, Nv, D]
        var textPairs = cat([text, text, text.index_select(0, negativeText)]);            // [3B, L, W]
        var attentionPairs = cat([attention, attention, attention.index_select(0, negativeText)]); // [3B, L]

        // 3. fusion and the 2-way head on [CLS]
        var fused = shared.TextEncoder.Fuse(textPairs, attentionPairs, visionPairs);      // [3B, L, W]
        var logits = itmHead.call(fused.select(1, 0));                                    // [3B, 2]
        return HardNegatives.Loss(logits);                                                // []
    }

    public void Dispose() => itmHead.Dispose();
}
