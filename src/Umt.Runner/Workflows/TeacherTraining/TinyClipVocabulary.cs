using System.Text;
using System.Text.RegularExpressions;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Engine.Checkpoints;

namespace Umt.Runner.Workflows.TeacherTraining;

/// <summary>
/// The tiny teacher's WordPiece vocabulary, generated from the synthetic captions: BERT's five
/// special tokens, then every word of the 72 image and 720 clip captions in ordinal order. Being
/// closed, it needs no sub-word pieces, so every caption word is one token and no caption has an
/// <c>[UNK]</c>. Committed as <c>assets/teachers/tiny-clip-vocab.txt</c>; training rewrites it
/// beside the weights, so the file always matches the captions the weights were trained on.
/// </summary>
public static partial class TinyClipVocabulary
{
    /// <summary>BERT's special tokens, ids 0–4 (padding first, so a zero-filled id tensor is padding).</summary>
    public static IReadOnlyList<string> SpecialTokens { get; } = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    /// <summary>The vocabulary, one token per id.</summary>
    public static IReadOnlyList<string> Tokens() =>
    [
        .. SpecialTokens,
        .. SyntheticCaption.AllImageCaptions.Concat(SyntheticCaption.AllVideoCaptions)
            .SelectMany(Words)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>The vocab.txt text: one token a line, <c>\n</c> line ends (so the file is the same on every OS).</summary>
    public static string FileText() => string.Concat(Tokens().Select(t => t + "\n"));

    /// <summary>
    /// Writes the vocabulary to <paramref name="path"/> unless it already holds exactly that text
    /// (a committed file is left untouched); atomically (temporary file, flush, rename).
    /// </summary>
    public static void Write(string path)
    {
        string text = FileText();
        if (File.Exists(path) && File.ReadAllText(path, Encoding.UTF8) == text)
        {
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        DurableFiles.ReplaceText(path, text);
    }

    /// <summary>
    /// A caption's words as BERT's basic tokenizer splits them: lower-cased, on white space, each
    /// punctuation mark its own token ("counter-clockwise" → counter, -, clockwise).
    /// </summary>
    public static IEnumerable<string> Words(string caption) =>
        BasicToken().Matches(caption.ToLowerInvariant()).Select(m => m.Value);

    [GeneratedRegex(@"[\p{L}\p{N}]+|[^\s\p{L}\p{N}]")]
    private static partial Regex BasicToken();
}
