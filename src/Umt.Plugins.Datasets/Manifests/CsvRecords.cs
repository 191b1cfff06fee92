using System.Text;

namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// Streams RFC 4180 records from a <see cref="TextReader"/>: fields separated by a configurable
/// character, quoted fields that may hold the separator, doubled quotes (<c>""</c>) and newlines.
/// Streaming rather than reading the file at once because WebVid-10M's CSV is gigabytes.
/// </summary>
/// <remarks>
/// Where RFC 4180 is silent the reader is lenient, as Python's <c>csv</c> module (which wrote most
/// of these files) is: a quote inside an unquoted field is an ordinary character, and text after
/// a closing quote is appended to the field. Blank (empty or whitespace-only) lines between records
/// are skipped; line ends may be <c>\n</c>, <c>\r\n</c> or <c>\r</c>. An unterminated quote at the
/// end of the input is returned as a record with <see cref="CsvRecord.Error"/> set, never thrown,
/// so the parser can report it with its line number like any other bad row.
/// </remarks>
internal static class CsvRecords
{
    private const char Quote = '"';

    public static IEnumerable<CsvRecord> Read(TextReader reader, char separator = ',')
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (separator is Quote or '\r' or '\n')
        {
            throw new ArgumentException($"'{separator}' cannot separate CSV fields.", nameof(separator));
        }
        return ReadRecords(reader, separator);
    }

    private static IEnumerable<CsvRecord> ReadRecords(TextReader reader, char separator)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            int startLine = lineNumber;
            string text = line;
            fields.Clear();
            field.Clear();
            bool inQuotes = false;
            bool atFieldStart = true;
            string? error = null;
            while (true)
            {
                for (int i = 0; i < line.Length; i++)
                {
                    char c = line[i];
                    if (inQuotes)
                    {
                        if (c != Quote)
                        {
                            field.Append(c);
                        }
                        else if (i + 1 < line.Length && line[i + 1] == Quote)
                        {
                            field.Append(Quote);
                            i++;
                        }
                        else
                        {
                            inQuotes = false;
                        }
                    }
                    else if (c == separator)
                    {
                        fields.Add(field.ToString());
                        field.Clear();
                        atFieldStart = true;
                    }
                    else if (c == Quote && atFieldStart)
                    {
                        inQuotes = true;
                        atFieldStart = false;
                    }
                    else
                    {
                        field.Append(c);
                        atFieldStart = false;
                    }
                }

                if (!inQuotes)
                {
                    break;
                }
                // The line break belongs to the quoted field: the record goes on on the next line.
                string? next = reader.ReadLine();
                if (next is null)
                {
                    error = $"unterminated quote (the record starting on line {startLine} runs to the end of the file)";
                    break;
                }
                lineNumber++;
                field.Append('\n');
                text = string.Concat(text, "\n", next);
                line = next;
            }

            fields.Add(field.ToString());
            yield return new CsvRecord(startLine, fields.ToArray(), text, error);
        }
    }
}
