using Umt.Abstractions.TextEncoders;
using Umt.Plugins.TextEncoders.Tokenization;
using static TorchSharp.torch;

namespace Umt.Plugins.TextEncoders.Encoding;

/// <summary>The <see cref="ITextTokenizer"/> of the BERT-family encoders: WordPiece ids as tensors on the run's device.</summary>
internal sealed class WordPieceTextTokenizer(WordPieceTokenizer tokenizer, int maxLength) : ITextTokenizer
{
    public int VocabSize => tokenizer.VocabSize;

    public int MaxLength => maxLength;

    public long PadId => tokenizer.PadId;

    public long ClsId => tokenizer.ClsId;

    public long SepId => tokenizer.SepId;

    public long MaskId => tokenizer.MaskId;

    public TokenizedText Encode(IReadOnlyList<string> captions, Device device)
    {
        var batch = tokenizer.Encode(captions, maxLength);
        long[] shape = [batch.Count, batch.MaxLength];
        return new TokenizedText(tensor(batch.Ids, shape).to(device), tensor(batch.AttentionMask, shape).to(device)); // [B, L], [B, L]
    }
}
