using System.Text;
using System.Text.RegularExpressions;

namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// The reference's caption cleaning, <c>pre_text</c> in UMT's <c>multi_modality/dataset/utils.py</c>,
/// applied to every caption before tokenisation in training and retrieval; a model evaluated on
/// captions cleaned differently sees other tokens. Steps, in the reference's order: lowercase;
/// delete <c>, . ' ! ? " ( ) * # : ; ~</c>; replace <c>-</c> and <c>/</c> with a space; replace
/// <c>&lt;person&gt;</c> with <c>person</c>; replace every run of two or more whitespace characters
/// with one space; strip trailing newlines, then leading and trailing spaces; optionally keep the
/// first <c>maxWords</c> space-separated words.
/// </summary>
/// <remarks>
/// Faithful to the reference where it is odd: a single tab or newline inside the text is kept
/// (only runs of two or more whitespace characters collapse), and the final strip removes spaces
/// only. Known difference: lowercasing is .NET's invariant simple case mapping, Python's is the
/// full mapping; they differ only for the few characters whose lowercase is longer (e.g. U+0130,
/// which Python lowers to "i" plus a combining dot, .NET to "i").
/// </remarks>
internal static partial class CaptionText
{
    public static string Clean(string caption, int? maxWords = null)
    {
        ArgumentNullException.ThrowIfNull(caption);
        if (maxWords is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWords), maxWords, "Keep at least one word.");
        }

        var builder = new StringBuilder(caption.Length);
        foreach (char c in caption.ToLowerInvariant())
        {
            switch (c)
            {
                case ',' or '.' or '\'' or '!' or '?' or '"' or '(' or ')' or '*' or '#' or ':' or ';' or '~':
                    break;
                case '-' or '/':
                    builder.Append(' ');
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }
        builder.Replace("<person>", "person");

        string text = WhitespaceRuns().Replace(builder.ToString(), " ");
        text = text.TrimEnd('\n').Trim(' ');

        if (maxWords is int limit)
        {
            string[] words = text.Split(' ');
            if (words.Length > limit)
            {
                text = string.Join(' ', words, 0, limit);
            }
        }
        return text;
    }

    /// <summary>
    /// Python's <c>\s{2,}</c> on text: .NET's <c>\s</c> plus U+001C..U+001F, which Python counts as
    /// whitespace (str.isspace) and .NET does not.
    /// </summary>
    [GeneratedRegex(@"[\s\x1C-\x1F]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex WhitespaceRuns();
}
