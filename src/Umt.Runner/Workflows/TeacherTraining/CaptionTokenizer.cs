using Umt.Plugins.TextEncoders.Tokenization;

namespace Umt.Runner.Workflows.TeacherTraining;

/// <summary>Captions as the text tower reads them.</summary>
/// <param name="Ids">Token ids <c>[N, L]</c> row-major: <c>[CLS] words [SEP]</c>, then <c>[PAD]</c>.</param>
/// <param name="PoolPositions">Position of each row's <c>[SEP]</c> <c>[N]</c>: where the text tower pools.</param>
/// <param name="ContextLength">Tokens per row (L).</param>
public sealed record TokenizedCaptions(long[] Ids, long[] PoolPositions, int ContextLength)
{
    /// <summary>Number of captions (N).</summary>
    public int Count => PoolPositions.Length;
}

/// <summary>
/// Captions for the tiny CLIP teacher's text tower: the BERT-family WordPiece tokenizer of the text
/// encoders (HuggingFace's uncased basic tokenization, then WordPiece) over the teacher's own
/// <c>vocab.txt</c>, framed <c>[CLS] caption [SEP]</c> and padded to the context length, plus where
/// each row's <c>[SEP]</c> stands (the tower pools there). A caption longer than the context keeps
/// its first L − 2 word pieces and still ends in <c>[SEP]</c>, as OpenAI's tokenizer keeps EOT last.
/// </summary>
public sealed class CaptionTokenizer
{
    private readonly WordPieceTokenizer tokenizer;

    private CaptionTokenizer(WordPieceTokenizer tokenizer, int contextLength)
    {
        this.tokenizer = tokenizer;
        ContextLength = contextLength;
    }

    /// <summary>Rows of the vocabulary: the size of the text tower's token embedding.</summary>
    public int VocabSize => tokenizer.VocabSize;

    /// <summary>Tokens per caption, padding included.</summary>
    public int ContextLength { get; }

    /// <summary>Id of <c>[UNK]</c>: a word the vocabulary lacks.</summary>
    public int UnknownId => tokenizer.UnknownId;

    /// <summary>Loads a BERT-style <c>vocab.txt</c> (one token a line, id = line number).</summary>
    /// <exception cref="FileNotFoundException">The vocabulary file does not exist.</exception>
    public static CaptionTokenizer Load(string vocabPath, int contextLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 3);
        return new CaptionTokenizer(WordPieceTokenizer.Load(vocabPath), contextLength);
    }

    /// <summary>One caption's ids, <c>[CLS] … [SEP]</c>, without padding or truncation.</summary>
    public IReadOnlyList<int> Ids(string caption) => [tokenizer.ClsId, .. tokenizer.Pieces(caption), tokenizer.SepId];

    /// <summary>Tokenizes, frames, truncates and pads every caption.</summary>
    public TokenizedCaptions Encode(IReadOnlyList<string> captions)
    {
        var batch = tokenizer.Encode(captions, ContextLength);
        var positions = new long[captions.Count];
        for (int row = 0; row < captions.Count; row++)
        {
            // [SEP] is the last real token: its position is the row's token count − 1.
            positions[row] = batch.AttentionMask.AsSpan(row * ContextLength, ContextLength).ToArray().Sum() - 1;
        }
        return new TokenizedCaptions(batch.Ids, positions, ContextLength);
    }
}
