using Microsoft.ML.Tokenizers;

namespace Umt.Runner.TeacherTraining;

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
/// WordPiece tokenization of captions for the tiny CLIP teacher: Microsoft.ML.Tokenizers'
/// <see cref="BertTokenizer"/> over a <c>vocab.txt</c> (lower-casing, BERT's basic tokenization),
/// framed as <c>[CLS] caption [SEP]</c> and padded with <c>[PAD]</c> to the context length.
/// A caption longer than the context keeps its first L − 2 word pieces and still ends in
/// <c>[SEP]</c>, as OpenAI's tokenizer keeps EOT last when it truncates.
/// </summary>
public sealed class CaptionTokenizer
{
    private readonly BertTokenizer tokenizer;

    private CaptionTokenizer(BertTokenizer tokenizer, int vocabSize, int contextLength)
    {
        this.tokenizer = tokenizer;
        VocabSize = vocabSize;
        ContextLength = contextLength;
    }

    /// <summary>Rows of the vocabulary: the size of the text tower's token embedding.</summary>
    public int VocabSize { get; }

    /// <summary>Tokens per caption, padding included.</summary>
    public int ContextLength { get; }

    /// <summary>Id of <c>[UNK]</c>: a word the vocabulary lacks.</summary>
    public int UnknownId => tokenizer.UnknownTokenId;

    /// <summary>Loads a BERT-style <c>vocab.txt</c> (one token a line, id = line number).</summary>
    /// <exception cref="FileNotFoundException">The vocabulary file does not exist.</exception>
    public static CaptionTokenizer Load(string vocabPath, int contextLength)
    {
        if (!File.Exists(vocabPath))
        {
            throw new FileNotFoundException($"The caption vocabulary '{vocabPath}' does not exist.", vocabPath);
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 3);
        int vocabSize = File.ReadLines(vocabPath).Count(line => line.Length > 0);
        // RemoveNonSpacingMarks strips accents as HF's uncased BERT does (data-and-weights.md §3).
        var tokenizer = BertTokenizer.Create(vocabPath, new BertOptions { LowerCaseBeforeTokenization = true, RemoveNonSpacingMarks = true });
        return new CaptionTokenizer(tokenizer, vocabSize, contextLength);
    }

    /// <summary>One caption's ids, <c>[CLS] … [SEP]</c>, without padding or truncation.</summary>
    public IReadOnlyList<int> Ids(string caption) => tokenizer.EncodeToIds(caption, addSpecialTokens: true);

    /// <summary>Tokenizes, frames, truncates and pads every caption.</summary>
    public TokenizedCaptions Encode(IReadOnlyList<string> captions)
    {
        int length = ContextLength;
        var ids = new long[captions.Count * length];
        var positions = new long[captions.Count];
        Array.Fill(ids, tokenizer.PaddingTokenId);
        for (int row = 0; row < captions.Count; row++)
        {
            var pieces = tokenizer.EncodeToIds(captions[row], addSpecialTokens: false);
            int kept = Math.Min(pieces.Count, length - 2);
            int offset = row * length;
            ids[offset] = tokenizer.ClassificationTokenId;
            for (int i = 0; i < kept; i++)
            {
                ids[offset + 1 + i] = pieces[i];
            }
            ids[offset + 1 + kept] = tokenizer.SeparatorTokenId;
            positions[row] = 1 + kept;
        }
        return new TokenizedCaptions(ids, positions, length);
    }
}
