using System.Globalization;
using System.Text;

namespace Umt.Plugins.TextEncoders.Tokenization;

/// <summary>
/// HF's BERT <c>BasicTokenizer</c> (transformers models/bert/tokenization_bert.py, uncased): the
/// step before WordPiece that turns a caption into words. In order: control characters, NUL and
/// U+FFFD removed and whitespace made a space (<c>_clean_text</c>); CJK ideographs made words of
/// their own; whitespace split; each word lower-cased and its accents stripped (NFD, non-spacing
/// marks dropped); punctuation split off as single-character words. The special tokens
/// (<c>[CLS]</c>, <c>[MASK]</c>, …) are split out first and left untouched, as HF does for its
/// added tokens.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers' own basic tokenization differs from HF on two points, both of which
/// the hand-worked tests caught: it drops symbols outright instead of keeping them (<c>$ + = ^ | ~</c>,
/// <c>€ ★ ♥</c> vanish; HF keeps the ASCII ones as punctuation and the rest as words, often
/// <c>[UNK]</c>), and under the build's <c>InvariantGlobalization</c> its accent stripping does nothing.
/// So this runs first and WordPiece is then asked to split on whitespace only.
/// </remarks>
internal static class BertBasicTokenizer
{
    /// <summary>HF's special tokens, which never reach the basic tokenizer.</summary>
    private static readonly string[] SpecialTokens = ["[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"];

    private static readonly Dictionary<int, string> Folding = ParseFolding();

    // Hangul syllables decompose arithmetically (Unicode §3.12); none of the jamo is a mark.
    private const int SyllableBase = 0xAC00, LeadBase = 0x1100, VowelBase = 0x1161, TrailBase = 0x11A7;
    private const int VowelCount = 21, TrailCount = 28, SyllableCount = 11172;

    /// <summary>The words of <paramref name="text"/>, joined by single spaces.</summary>
    public static string Words(string text)
    {
        var words = new StringBuilder(text.Length + 16);
        int start = 0;
        while (start < text.Length)
        {
            var (at, special) = NextSpecialToken(text, start);
            AppendWords(text.AsSpan(start, at - start), words);
            if (special is null)
            {
                break;
            }
            Separate(words);
            words.Append(special);
            start = at + special.Length;
        }
        return words.ToString().Trim();
    }

    /// <summary>Accent stripping alone: each character's NFD without non-spacing marks.</summary>
    public static string StripAccents(string word)
    {
        var stripped = new StringBuilder(word.Length);
        foreach (var rune in word.EnumerateRunes())
        {
            AppendFolded(rune, stripped);
        }
        return stripped.ToString();
    }

    private static (int At, string? Token) NextSpecialToken(string text, int start)
    {
        int best = text.Length;
        string? token = null;
        foreach (string candidate in SpecialTokens)
        {
            int at = text.IndexOf(candidate, start, StringComparison.Ordinal);
            if (at >= 0 && at < best)
            {
                best = at;
                token = candidate;
            }
        }
        return (best, token);
    }

    private static void AppendWords(ReadOnlySpan<char> text, StringBuilder words)
    {
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            int cp = rune.Value;
            // _clean_text: NUL, U+FFFD (also what a lone surrogate reads as) and controls go, before
            // whitespace is looked at: \v, \f and U+0085 are controls to HF, not separators.
            if (cp is 0 or 0xFFFD || IsControl(rune))
            {
                continue;
            }
            // What is left that .NET calls whitespace (space, tab, newline, CR, Zs, Zl, Zp) is what
            // HF turns into a space or Python's str.split() splits on.
            if (Rune.IsWhiteSpace(rune))
            {
                Flush(word, words);
                continue;
            }
            // _tokenize_chinese_chars: an ideograph is a word of its own.
            if (IsCjk(cp))
            {
                Flush(word, words);
                word.Append(rune.ToString());
                Flush(word, words);
                continue;
            }
            word.Append(rune.ToString());
        }
        Flush(word, words);
    }

    /// <summary>Lower-cases and strips one whitespace-delimited word, then splits its punctuation off.</summary>
    private static void Flush(StringBuilder word, StringBuilder words)
    {
        if (word.Length == 0)
        {
            return;
        }
        string folded = StripAccents(word.ToString().ToLowerInvariant());
        word.Clear();
        bool inWord = false;
        foreach (var rune in folded.EnumerateRunes())
        {
            if (IsPunctuation(rune))
            {
                Separate(words);
                words.Append(rune.ToString());
                inWord = false;
                continue;
            }
            if (!inWord)
            {
                Separate(words);
                inWord = true;
            }
            words.Append(rune.ToString());
        }
    }

    private static void Separate(StringBuilder words)
    {
        if (words.Length > 0 && words[^1] != ' ')
        {
            words.Append(' ');
        }
    }

    private static void AppendFolded(Rune rune, StringBuilder output)
    {
        int cp = rune.Value;
        if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark)
        {
            return;
        }
        if (cp - SyllableBase is >= 0 and < SyllableCount)
        {
            int index = cp - SyllableBase;
            output.Append((char)(LeadBase + index / (VowelCount * TrailCount)));
            output.Append((char)(VowelBase + index % (VowelCount * TrailCount) / TrailCount));
            if (index % TrailCount != 0)
            {
                output.Append((char)(TrailBase + index % TrailCount));
            }
            return;
        }
        output.Append(Folding.TryGetValue(cp, out string? folded) ? folded : rune.ToString());
    }

    /// <summary>HF <c>_is_control</c>: categories Cc and Cf, tab/newline/CR excepted (they are whitespace).</summary>
    private static bool IsControl(Rune rune) =>
        rune.Value is not (0x09 or 0x0A or 0x0D) && Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format;

    /// <summary>HF <c>_is_punctuation</c>: every non-alphanumeric printable ASCII character, and every category P*.</summary>
    private static bool IsPunctuation(Rune rune)
    {
        int cp = rune.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126)
        {
            return true;
        }
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>HF <c>_is_chinese_char</c>: the CJK Unified Ideographs blocks and their compatibility blocks (not kana or hangul).</summary>
    private static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;

    private static Dictionary<int, string> ParseFolding()
    {
        var table = new Dictionary<int, string>();
        foreach (string entry in AccentFoldingTable.Entries.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = entry.IndexOf('=', StringComparison.Ordinal);
            int key = int.Parse(entry.AsSpan(0, equals), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var value = new StringBuilder();
            foreach (string part in entry[(equals + 1)..].Split('+'))
            {
                value.Append(char.ConvertFromUtf32(int.Parse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
            table.Add(key, value.ToString());
        }
        return table;
    }
}
