using Microsoft.ML.Tokenizers;

namespace Umt.Plugins.TextEncoders.Tokenization;

/// <summary>
/// bert-base-uncased tokenization of captions, as HF's <c>BertTokenizer</c> does it: HF's basic
/// tokenization (<see cref="BertBasicTokenizer"/>: lower-casing, accents stripped, punctuation and
/// CJK ideographs split off), then Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/> for the
/// vocabulary, the special tokens and the greedy longest-match WordPiece with <c>##</c>
/// continuations; framed as <c>[CLS] caption [SEP]</c> and padded with <c>[PAD]</c> to a fixed
/// length. A caption longer than the row keeps its first L − 2 pieces and still ends in
/// <c>[SEP]</c>, as HF's <c>truncation=True</c> does: the encoder was trained to see <c>[SEP]</c> last.
/// </summary>
/// <remarks>
/// <see cref="BertTokenizer"/>'s own basic tokenization (<c>LowerCaseBeforeTokenization</c>,
/// <c>RemoveNonSpacingMarks</c>) is switched off: under the build's <c>InvariantGlobalization</c> it
/// keeps accents ("café" → [UNK]), and it drops symbols HF keeps (<c>$ + = € ★</c>); see
/// <see cref="BertBasicTokenizer"/>. It is given words split by single spaces instead.
/// </remarks>
public sealed class WordPieceTokenizer
{
    /// <summary>UMT's caption length for the text encoder (max_txt_l = 32 in the reference configs).</summary>
    public const int DefaultMaxLength = 32;

    private readonly BertTokenizer tokenizer;

    private WordPieceTokenizer(BertTokenizer tokenizer, int vocabSize)
    {
        this.tokenizer = tokenizer;
        VocabSize = vocabSize;
    }

    /// <summary>Rows of the vocabulary (one token a line; 30522 for bert-base-uncased).</summary>
    public int VocabSize { get; }

    /// <summary>Id of <c>[PAD]</c>.</summary>
    public int PadId => tokenizer.PaddingTokenId;

    /// <summary>Id of <c>[CLS]</c>, the first token of every row.</summary>
    public int ClsId => tokenizer.ClassificationTokenId;

    /// <summary>Id of <c>[SEP]</c>, the last real token of every row.</summary>
    public int SepId => tokenizer.SeparatorTokenId;

    /// <summary>Id of <c>[MASK]</c>, for masked language modelling.</summary>
    public int MaskId => tokenizer.MaskingTokenId;

    /// <summary>Id of <c>[UNK]</c>: a word no sequence of vocabulary pieces spells.</summary>
    public int UnknownId => tokenizer.UnknownTokenId;

    /// <summary>Loads a BERT <c>vocab.txt</c> (id = line number; LF or CRLF line ends).</summary>
    /// <exception cref="InvalidDataException">The vocabulary lacks one of the special tokens.</exception>
    public static WordPieceTokenizer Load(Stream vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        // Read once into memory: the size is counted here and the tokenizer parses the same bytes.
        using var copy = new MemoryStream();
        vocabulary.CopyTo(copy);
        copy.Position = 0;
        int vocabSize = 0;
        using (var reader = new StreamReader(copy, leaveOpen: true))
        {
            while (reader.ReadLine() is not null)
            {
                vocabSize++;
            }
        }
        copy.Position = 0;
        BertTokenizer tokenizer;
        try
        {
            // Whitespace split and WordPiece only: the text arrives already basic-tokenized (see remarks).
            tokenizer = BertTokenizer.Create(copy, new BertOptions
            {
                ApplyBasicTokenization = false,
                LowerCaseBeforeTokenization = false,
                RemoveNonSpacingMarks = false,
            });
        }
        catch (ArgumentException e)
        {
            // BertTokenizer refuses a vocabulary without [UNK], [CLS], [SEP], [PAD] or [MASK].
            throw new InvalidDataException($"The WordPiece vocabulary is not a BERT vocabulary: {e.Message}", e);
        }
        return new WordPieceTokenizer(tokenizer, vocabSize);
    }

    /// <summary>Loads a BERT <c>vocab.txt</c> file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static WordPieceTokenizer Load(string vocabularyPath)
    {
        if (!File.Exists(vocabularyPath))
        {
            throw new FileNotFoundException($"The WordPiece vocabulary '{vocabularyPath}' does not exist.", vocabularyPath);
        }
        using var stream = File.OpenRead(vocabularyPath);
        return Load(stream);
    }

    /// <summary>One caption's word pieces, without <c>[CLS]</c>, <c>[SEP]</c>, truncation or padding.</summary>
    public IReadOnlyList<int> Pieces(string caption) => tokenizer.EncodeToIds(BertBasicTokenizer.Words(caption), addSpecialTokens: false);

    /// <summary>Tokenizes, frames, truncates and pads every caption to <paramref name="maxLength"/> tokens.</summary>
    public TokenizedBatch Encode(IReadOnlyList<string> captions, int maxLength = DefaultMaxLength)
    {
        ArgumentNullException.ThrowIfNull(captions);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2); // room for [CLS] and [SEP]
        var ids = new long[captions.Count * maxLength];
        var mask = new long[captions.Count * maxLength];
        Array.Fill(ids, PadId);
        for (int row = 0; row < captions.Count; row++)
        {
            var pieces = Pieces(captions[row]);
            int kept = Math.Min(pieces.Count, maxLength - 2);
            int offset = row * maxLength;
            ids[offset] = ClsId;
            for (int i = 0; i < kept; i++)
            {
                ids[offset + 1 + i] = pieces[i];
            }
            ids[offset + 1 + kept] = SepId;
            mask.AsSpan(offset, kept + 2).Fill(1);
        }
        return new TokenizedBatch(ids, mask, captions.Count, maxLength);
    }
}
