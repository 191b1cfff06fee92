using Umt.Abstractions.TextEncoders;
using Umt.Models.Bert;
using static TorchSharp.torch;

namespace Umt.Plugins.TextEncoders.Encoding;

/// <summary>
/// <see cref="ITextEncoder"/> over the reference's xbert <see cref="BertForMaskedLM"/>: what
/// <c>bert</c> and <c>minilm</c> build, differing only in size and where the weights come from.
/// </summary>
internal sealed class BertTextEncoder(BertForMaskedLM model, ITextTokenizer tokenizer) : ITextEncoder
{
    public TextEncoderTraits Traits { get; } = TraitsOf(model.Config, tokenizer.MaxLength);

    public ITextTokenizer Tokenizer => tokenizer;

    public nn.Module Module => model;

    public Tensor EncodeText(TokenizedText text) => model.EncodeText(text.InputIds, text.AttentionMask); // [B, L, W]

    public Tensor Fuse(Tensor textHidden, Tensor attentionMask, Tensor vision, Tensor? visionMask = null) =>
        model.Fuse(textHidden, attentionMask, vision, visionMask);                                     // [B, L, W]

    public Tensor MlmLogits(Tensor hidden) => model.MlmLogits(hidden);                                   // [B, L, V]

    public static TextEncoderTraits TraitsOf(BertConfig config, int maxLength) =>
        new(config.Hidden, config.Layers, config.FusionLayer, config.VocabSize, maxLength);

    public void Dispose() => model.Dispose();
}
