using static TorchSharp.torch;

namespace Umt.Abstractions.TextEncoders;

/// <summary>A batch of captions as token ids.</summary>
/// <param name="InputIds"><c>[B, L]</c> int64, <c>[CLS] … [SEP]</c> then padding.</param>
/// <param name="AttentionMask"><c>[B, L]</c> int64: 1 for a token, 0 for padding.</param>
public sealed record TokenizedText(Tensor InputIds, Tensor AttentionMask);
