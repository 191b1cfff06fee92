using System.Diagnostics.CodeAnalysis;

namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// The reference's video classification lists (UMT single_modality, VideoMAE): no header, one
/// <c>&lt;relative path&gt;&lt;sep&gt;&lt;label&gt;</c> per line, used for K400/K600/K700/K710, SSv2,
/// UCF101, HMDB51 and most fine-tuning sets.
/// </summary>
/// <remarks>
/// <para>
/// Separators: <c>","</c>, <c>" "</c> (any run of whitespace) or <c>"auto"</c>. Unlike the
/// reference, which splits at every separator and takes fields 0 and 1, the line is split at its
/// LAST separator, so paths may hold spaces (<c>my clip.mp4 3</c>) or, with <c>","</c>, commas; a
/// path may also be CSV-quoted with <c>","</c> (<c>"a, b.mp4",3</c>). <c>"auto"</c> decides per
/// line: when the text after the last comma is an integer (negative included) the line is
/// comma-separated; otherwise it is split at its last whitespace run (and a line with a comma but
/// no whitespace is read as comma-separated, to report its label).
/// </para>
/// <para>
/// As in the reference, a path whose file name (after the last <c>/</c>) holds no <c>.</c> gets
/// the default extension appended. Labels must be integers ≥ 0. Lines are trimmed; blank lines and
/// lines starting with <c>#</c> are skipped; every other bad line becomes a rejection.
/// </para>
/// </remarks>
internal static class KineticsList
{
    private enum Separator
    {
        Comma,
        Whitespace,
        Auto,
    }

    public static Manifest Parse(TextReader reader, MediaRoot root, string separator, string defaultExtension = ".mp4")
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(root);
        Separator mode = separator switch
        {
            "," => Separator.Comma,
            " " => Separator.Whitespace,
            "auto" => Separator.Auto,
            _ => throw new ArgumentException($"Separator '{separator}' is not supported; use \",\", \" \" (any whitespace) or \"auto\".", nameof(separator)),
        };
        // ".mp4" and "mp4" mean the same; an empty extension appends nothing.
        string extension = string.IsNullOrEmpty(defaultExtension) || defaultExtension[0] == '.' ? defaultExtension ?? string.Empty : "." + defaultExtension;

        var builder = new ManifestBuilder(root);
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            string text = line.Trim();
            if (text.Length == 0 || text[0] == '#')
            {
                continue;
            }

            if (!TrySplit(text, mode, out string path, out string labelText, out string? reason)
                || !ManifestLabel.TryParse(labelText, out int label, out reason))
            {
                builder.Reject(lineNumber, line, reason);
                continue;
            }
            builder.Add(lineNumber, line, WithExtension(path, extension), label, []);
        }
        return builder.Build();
    }

    private static bool TrySplit(string text, Separator mode, out string path, out string label, [NotNullWhen(false)] out string? reason)
    {
        int comma = text.LastIndexOf(',');
        if (mode == Separator.Auto)
        {
            bool commaLabel = comma >= 0 && ManifestLabel.IsInteger(text[(comma + 1)..]);
            mode = commaLabel || (comma >= 0 && !text.Any(char.IsWhiteSpace)) ? Separator.Comma : Separator.Whitespace;
        }
        return mode == Separator.Comma ? TrySplitComma(text, comma, out path, out label, out reason) : TrySplitWhitespace(text, out path, out label, out reason);
    }

    private static bool TrySplitComma(string text, int lastComma, out string path, out string label, [NotNullWhen(false)] out string? reason)
    {
        if (text[0] == '"')
        {
            // A quoted path: let the CSV reader undo the quoting (commas and "" inside).
            CsvRecord record = CsvRecords.Read(new StringReader(text), ',').Single();
            if (record.Error is null && record.Fields.Count == 2)
            {
                path = record.Fields[0];
                label = record.Fields[1];
                reason = null;
                return true;
            }
            return Fail(record.Error is null ? "expected \"<path>\",<label>" : "unterminated quote", out path, out label, out reason);
        }
        if (lastComma < 0)
        {
            return Fail("expected '<path>,<label>' (no comma)", out path, out label, out reason);
        }
        path = text[..lastComma].TrimEnd();
        label = text[(lastComma + 1)..];
        reason = null;
        return true;
    }

    private static bool TrySplitWhitespace(string text, out string path, out string label, [NotNullWhen(false)] out string? reason)
    {
        // The text is trimmed, so a whitespace run found here has non-space text on both sides.
        int end = text.Length - 1;
        while (end >= 0 && !char.IsWhiteSpace(text[end]))
        {
            end--;
        }
        if (end < 0)
        {
            return Fail("expected '<path> <label>' (no whitespace)", out path, out label, out reason);
        }
        int start = end;
        while (start > 0 && char.IsWhiteSpace(text[start - 1]))
        {
            start--;
        }
        path = text[..start];
        label = text[(end + 1)..];
        reason = null;
        return true;
    }

    private static bool Fail(string why, out string path, out string label, [NotNullWhen(false)] out string? reason)
    {
        path = string.Empty;
        label = string.Empty;
        reason = why;
        return false;
    }

    private static string WithExtension(string path, string extension)
    {
        // The reference's test: '.' in the last '/'-separated part. "clip.v2" therefore counts as having one.
        int slash = path.LastIndexOf('/');
        return path.IndexOf('.', slash + 1) >= 0 ? path : path + extension;
    }
}
