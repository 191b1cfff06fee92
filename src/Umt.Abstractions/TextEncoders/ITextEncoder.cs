using static TorchSharp.torch;

namespace Umt.Abstractions.TextEncoders;

/// <summary>
/// A text encoder bound to its options (plugin kind <c>text-encoder</c>): a BERT-style stack whose
/// first <see cref="TextEncoderTraits.FusionLayer"/> layers encode text alone ("text" mode) and
/// whose remaining layers add cross-attention to vision tokens ("fusion" mode), with an MLM head
/// (umt-method.md §3.1). Trainable: the runner owns <see cref="Module"/> (its parameters, device,
/// train/eval mode and checkpoint keys under <c>text_encoder.</c>).
/// </summary>
public interface ITextEncoder : IDisposable
{
    TextEncoderTraits Traits { get; }

    ITextTokenizer Tokenizer { get; }

    /// <summary>The trainable module; its state-dict keys are the reference's (HuggingFace BERT) names.</summary>
    nn.Module Module { get; }

    /// <summary>"text" mode: <c>[B, L]</c> ids → <c>[B, L, Width]</c> through layers [0, FusionLayer).</summary>
    Tensor EncodeText(TokenizedText text);

    /// <summary>
    /// "fusion" mode: text hidden states <c>[B, L, Width]</c> through the fusion layers, attending to
    /// <paramref name="vision"/> <c>[B, N, D]</c> (D = the student's width); <paramref name="visionMask"/>
    /// <c>[B, N]</c> marks tokens to attend to (null: all) → <c>[B, L, Width]</c>.
    /// </summary>
    Tensor Fuse(Tensor textHidden, Tensor attentionMask, Tensor vision, Tensor? visionMask = null);

    /// <summary>MLM logits <c>[B, L, VocabSize]</c> of hidden states.</summary>
    Tensor MlmLogits(Tensor hidden);
}
