using Umt.Abstractions.TextEncoders;
using static TorchSharp.torch;

namespace Umt.Plugin.Testing;

/// <summary>
/// A text encoder tokenizes to <c>[CLS]</c>-led, <c>[PAD]</c>-padded ids of the declared length and
/// vocabulary, encodes and fuses to its declared width with gradients reaching the vision tokens
/// through cross-attention, and predicts tokens over its vocabulary.
/// </summary>
internal static class TextEncoderContract
{
    public static void Check(string label, ITextEncoderFactory factory, object options, ContractSettings settings)
    {
        using var scope = NewDisposeScope();
        var context = settings.Context(settings.Student);
        var traits = factory.Describe(options, context);
        using var encoder = factory.Create(options, context);
        var tokenizer = encoder.Tokenizer;

        Contract.That(encoder.Traits == traits, label, "Describe must promise what Create delivers (its traits)");
        Contract.That(traits.FusionLayer >= 0 && traits.FusionLayer <= traits.Layers, label, $"its fusion layer {traits.FusionLayer} must lie in [0, {traits.Layers}]");
        var text = tokenizer.Encode(["a small red circle moves to the left", "a large blue square"], CPU);
        Contract.That(text.InputIds.shape.SequenceEqual([2L, traits.MaxLength]), label, $"ids must be [B, MaxLength] = [2, {traits.MaxLength}]");
        var ids = text.InputIds.data<long>().ToArray();
        var mask = text.AttentionMask.data<long>().ToArray();
        Contract.That(ids[0] == tokenizer.ClsId && ids[traits.MaxLength] == tokenizer.ClsId, label, "every caption must start with [CLS]");
        Contract.That(ids.Where((_, i) => mask[i] == 0).All(id => id == tokenizer.PadId), label, "padding must be [PAD]");
        Contract.That(ids.All(id => id >= 0 && id < tokenizer.VocabSize), label, $"ids must lie in the vocabulary [0, {tokenizer.VocabSize})");

        var hidden = encoder.EncodeText(text);                                                       // [B, L, W]
        var vision = randn(2, 5, settings.Student.Width).requires_grad_();                           // [B, N, D]
        var fused = encoder.Fuse(hidden, text.AttentionMask, vision);                                 // [B, L, W]
        var logits = encoder.MlmLogits(fused);                                                        // [B, L, V]
        logits.pow(2).mean().backward();

        Contract.That(hidden.shape.SequenceEqual([2L, traits.MaxLength, traits.Width]), label, $"EncodeText must give [B, L, W] = [2, {traits.MaxLength}, {traits.Width}]");
        Contract.That(fused.shape.SequenceEqual([2L, traits.MaxLength, traits.Width]), label, $"Fuse must give [B, L, W] = [2, {traits.MaxLength}, {traits.Width}]");
        Contract.That(logits.shape.SequenceEqual([2L, traits.MaxLength, traits.VocabSize]), label, $"MlmLogits must give [B, L, V] = [2, {traits.MaxLength}, {traits.VocabSize}]");
        Contract.That(vision.grad is { } g && g.abs().sum().item<float>() > 0, label, "the fusion layers must attend to the vision tokens");
        Contract.That(encoder.Module.parameters().Any(p => p.grad is { } pg && pg.abs().sum().item<float>() > 0), label, "the encoder must be trainable");
    }
}
