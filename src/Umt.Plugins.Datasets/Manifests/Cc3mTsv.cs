namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// Conceptual Captions 3M as released: a TSV without header, <c>caption&lt;TAB&gt;url</c> per row.
/// The images are not at the URLs any more, so a downloader saved them under names of its own,
/// usually the 0-based row index: for URL rows the file name comes from a <see cref="FilePattern"/>
/// over <c>{row}</c>, by default <c>{row:08}.jpg</c>. Rows whose second column is not an
/// http(s) URL are taken as <c>caption&lt;TAB&gt;relative image path</c> (lists rewritten after download).
/// </summary>
/// <remarks>
/// <c>{row}</c> counts every non-blank record, rejected ones included, so it stays the row index a
/// downloader that walks the same file assigns. Fields follow CSV quoting with a tab separator,
/// as pandas (which the official download script uses) reads the file.
/// </remarks>
internal static class Cc3mTsv
{
    /// <summary>The placeholders a pattern may use.</summary>
    public static readonly IReadOnlyList<string> Placeholders = ["row"];

    public static Manifest Parse(TextReader reader, MediaRoot root, string filePattern = "{row:08}.jpg")
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(root);
        var pattern = new FilePattern(filePattern, Placeholders);
        var builder = new ManifestBuilder(root);
        int row = -1;
        foreach (CsvRecord record in CsvRecords.Read(reader, '\t'))
        {
            row++;
            if (record.Error is not null)
            {
                builder.Reject(record.Line, record.Text, record.Error);
                continue;
            }
            if (record.Fields.Count != 2)
            {
                builder.Reject(record.Line, record.Text, $"expected 2 tab-separated fields (caption, url or path), found {record.Fields.Count}");
                continue;
            }

            string caption = record.Fields[0];
            string target = record.Fields[1].Trim();
            if (string.IsNullOrWhiteSpace(caption))
            {
                builder.Reject(record.Line, record.Text, "empty caption");
                continue;
            }

            string path = target;
            if (IsUrl(target))
            {
                string index = row.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!pattern.TryFormat(_ => index, out path, out string? reason))
                {
                    builder.Reject(record.Line, record.Text, reason);
                    continue;
                }
            }
            builder.Add(record.Line, record.Text, path, null, [caption]);
        }
        return builder.Build();
    }

    private static bool IsUrl(string text) =>
        text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}
