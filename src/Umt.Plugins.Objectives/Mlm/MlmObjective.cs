using Umt.Abstractions.Objectives;
using Umt.Abstractions.TextEncoders;
using static TorchSharp.torch;

namespace Umt.Plugins.Objectives.Mlm;

/// <summary>
/// Masked language modelling conditioned on the masked clip (umt-method.md §3.2; criterions.py
/// <c>mlm_loss</c>): the corrupted caption through the text layers, then the fusion layers
/// attending to the clip's visible tokens, then the MLM head; cross-entropy on the selected tokens.
/// </summary>
internal sealed class MlmObjective(MlmOptions options) : IObjective
{
    public nn.Module? Head => null; // the transform and the tied decoder belong to the text encoder (text_encoder.cls.*)

    public Tensor ComputeLoss(ObjectiveContext context)
    {
        var shared = VisionLanguageTraits.Require(context, "mlm");
        var encoder = shared.TextEncoder;
        var tokenizer = encoder.Tokenizer;

        // 1. 80/10/10 corruption of the selected tokens, keyed per sample, on the host's token ids:
        //    the selection's count is then known without reading the device
        var (corrupted, labels) = MlmMasking.Mask(shared.HostInputIds, tokenizer.PadId, tokenizer.ClsId, tokenizer.MaskId,
            encoder.Traits.VocabSize, context.Batch.Keys, options.Probability);          // [B, L], [B, L] on the CPU
        var flatLabels = labels.view(-1);                                                 // [B·L] on the CPU
        var positions = flatLabels.ne(MlmMasking.IgnoreIndex).nonzero().view(-1);         // [S] on the CPU
        var device = shared.VisionTokens.device;

        // 2. text layers on the corrupted caption, fusion layers on the masked clip's tokens
        var attention = shared.Text.AttentionMask;                                        // [B, L]
        var hidden = encoder.EncodeText(new TokenizedText(corrupted.to(device), attention)); // [B, L, W]
        var fused = encoder.Fuse(hidden, attention, shared.VisionTokens);                 // [B, L, W]

        // 3. scores only where a label exists: the mean over the selected tokens is the
        //    reference's loss, and the vocabulary-wide head (W × V, the step's largest matmul
        //    for a BERT vocabulary) then runs on about half the positions instead of all of them.
        var selectedIndex = positions.to(device);                                         // [S]
        var selectedTokens = fused.reshape(-1, fused.shape[2]).index_select(0, selectedIndex); // [S, W]
        var logits = encoder.MlmLogits(selectedTokens.unsqueeze(0));                      // [1, S, V]
        var selectedLabels = flatLabels.index_select(0, positions).to(device);            // [S]
        return MlmMasking.Loss(logits, selectedLabels.unsqueeze(0));                      // []
    }

    public void Dispose()
    {
    }
}
