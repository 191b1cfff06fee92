namespace Umt.Abstractions.TextEncoders;

/// <summary>What a configured text encoder is, known before any weight is loaded.</summary>
/// <param name="Width">Hidden width of its tokens.</param>
/// <param name="Layers">Transformer layers in all.</param>
/// <param name="FusionLayer">First layer with cross-attention: layers [0, FusionLayer) are the text encoder, the rest the fusion encoder (ALBEF's xbert split).</param>
/// <param name="VocabSize">Tokens the MLM head predicts over.</param>
/// <param name="MaxLength">Tokens per caption after padding/truncation.</param>
public sealed record TextEncoderTraits(int Width, int Layers, int FusionLayer, int VocabSize, int MaxLength);
