using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// A media file name built from a row's fields, e.g. <c>{youtube_id}_{time_start:06}_{time_end:06}.mp4</c>
/// for Kinetics: the official CSVs name clips, not files, and every downloader picks its own
/// naming, so the pattern is the user's to set. One class for every format so the syntax is the same
/// everywhere: <c>{name}</c> inserts a field, <c>{name:0N}</c> inserts a non-negative integer
/// zero-padded to N digits (Python's <c>{:06d}</c>, what the downloaders use), and <c>{{</c> / <c>}}</c>
/// are literal braces.
/// </summary>
/// <remarks>
/// A pattern error (unknown placeholder, bad format, unbalanced brace) is the caller's mistake and
/// throws <see cref="ArgumentException"/> when the pattern is built, before any row is read. A row
/// whose value does not fit (empty, not an integer for <c>:0N</c>) fails <see cref="TryFormat"/>
/// with a reason instead, because that is a bad row.
/// </remarks>
internal sealed class FilePattern
{
    private readonly Segment[] segments;

    public FilePattern(string pattern, IReadOnlyCollection<string> knownPlaceholders)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        ArgumentNullException.ThrowIfNull(knownPlaceholders);
        Text = pattern;
        segments = Compile(pattern, knownPlaceholders);
        Placeholders = segments.Where(s => s.Name is not null).Select(s => s.Name!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The pattern as given.</summary>
    public string Text { get; }

    /// <summary>The placeholder names the pattern uses: the fields a row must have.</summary>
    public IReadOnlySet<string> Placeholders { get; }

    /// <summary>
    /// Fills the pattern from a row. <paramref name="valueOf"/> returns a field's value, or null
    /// when the row has no such field.
    /// </summary>
    public bool TryFormat(Func<string, string?> valueOf, out string path, [NotNullWhen(false)] out string? reason)
    {
        var builder = new StringBuilder(Text.Length + 16);
        foreach (Segment segment in segments)
        {
            if (segment.Name is null)
            {
                builder.Append(segment.Literal);
                continue;
            }

            string? value = valueOf(segment.Name);
            if (value is null)
            {
                return Fail($"missing field '{segment.Name}'", out path, out reason);
            }
            if (string.IsNullOrWhiteSpace(value))
            {
                return Fail($"empty field '{segment.Name}'", out path, out reason);
            }
            if (segment.Width == 0)
            {
                builder.Append(value);
                continue;
            }

            string digits = value.Trim();
            if (!digits.All(char.IsAsciiDigit))
            {
                return Fail($"{segment.Name} '{Echo.Bounded(value)}' is not a non-negative integer", out path, out reason);
            }
            // Pad the digits as text (no overflow for long ids), normalising leading zeros as int formatting would.
            digits = digits.TrimStart('0');
            builder.Append((digits.Length == 0 ? "0" : digits).PadLeft(segment.Width, '0'));
        }

        path = builder.ToString();
        reason = null;
        return true;
    }

    public override string ToString() => Text;

    private static bool Fail(string why, out string path, [NotNullWhen(false)] out string? reason)
    {
        path = string.Empty;
        reason = why;
        return false;
    }

    private static Segment[] Compile(string pattern, IReadOnlyCollection<string> known)
    {
        var segments = new List<Segment>();
        var literal = new StringBuilder();
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '}')
            {
                if (i + 1 < pattern.Length && pattern[i + 1] == '}')
                {
                    literal.Append('}');
                    i++;
                    continue;
                }
                throw new ArgumentException($"File pattern '{Echo.Bounded(pattern)}' has an unmatched '}}' at position {i}; write '}}}}' for a literal brace.");
            }
            if (c != '{')
            {
                literal.Append(c);
                continue;
            }
            if (i + 1 < pattern.Length && pattern[i + 1] == '{')
            {
                literal.Append('{');
                i++;
                continue;
            }

            int close = pattern.IndexOf('}', i + 1);
            if (close < 0)
            {
                throw new ArgumentException($"File pattern '{Echo.Bounded(pattern)}' has an unmatched '{{' at position {i}; write '{{{{' for a literal brace.");
            }
            if (literal.Length > 0)
            {
                segments.Add(new Segment(literal.ToString(), null, 0));
                literal.Clear();
            }
            segments.Add(Placeholder(pattern, pattern[(i + 1)..close], known));
            i = close;
        }
        if (literal.Length > 0)
        {
            segments.Add(new Segment(literal.ToString(), null, 0));
        }
        return segments.ToArray();
    }

    private static Segment Placeholder(string pattern, string body, IReadOnlyCollection<string> known)
    {
        int colon = body.IndexOf(':');
        string name = colon < 0 ? body : body[..colon];
        if (!known.Contains(name, StringComparer.Ordinal))
        {
            string knownList = string.Join(", ", known.Select(k => "{" + k + "}"));
            throw new ArgumentException($"File pattern '{Echo.Bounded(pattern)}' uses unknown placeholder '{{{Echo.Bounded(name)}}}'; known placeholders: {knownList}.");
        }
        if (colon < 0)
        {
            return new Segment(string.Empty, name, 0);
        }

        string format = body[(colon + 1)..];
        if (format.Length < 2 || format[0] != '0' || !format.All(char.IsAsciiDigit) || !int.TryParse(format, out int width) || width is < 1 or > 64)
        {
            throw new ArgumentException(
                $"File pattern '{Echo.Bounded(pattern)}' uses format '{{{Echo.Bounded(body)}}}'; the only format is ':0N', a zero-padded integer of N (1 to 64) digits, e.g. '{{{Echo.Bounded(name)}:06}}'.");
        }
        return new Segment(string.Empty, name, width);
    }

    /// <summary>A literal run (<see cref="Name"/> null) or a placeholder with its zero-pad width (0 = none).</summary>
    private readonly record struct Segment(string Literal, string? Name, int Width);
}
