namespace Umt.Plugins.TextEncoders.Tokenization;

/// <summary>Captions as a BERT-style text encoder reads them.</summary>
/// <param name="Ids">Token ids <c>[B, L]</c> row-major: <c>[CLS] word pieces [SEP]</c>, then <c>[PAD]</c>.</param>
/// <param name="AttentionMask">1 for the <c>[CLS] … [SEP]</c> positions, 0 for padding; <c>[B, L]</c> row-major.</param>
/// <param name="Count">Number of captions (B).</param>
/// <param name="MaxLength">Tokens per row (L), padding included.</param>
public sealed record TokenizedBatch(long[] Ids, long[] AttentionMask, int Count, int MaxLength);
