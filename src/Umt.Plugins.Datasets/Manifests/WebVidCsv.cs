namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// The official WebVid CSVs (<c>videoid,contentUrl,duration,page_dir,name</c>; WebVid-10M adds
/// <c>page_idx</c>): one caption per video, the <c>name</c> column, quoted CSV that may hold commas,
/// quotes and newlines. Files are named by a <see cref="FilePattern"/> over <c>{videoid}</c> and
/// <c>{page_dir}</c>, by default <c>{page_dir}/{videoid}.mp4</c> as the release's download script
/// saves them. Captions are kept as written; clean them with <see cref="CaptionText"/> when feeding a tokenizer.
/// </summary>
internal static class WebVidCsv
{
    /// <summary>The placeholders a pattern may use.</summary>
    public static readonly IReadOnlyList<string> Placeholders = ["videoid", "page_dir"];

    private const string CaptionColumn = "name";

    public static Manifest Parse(TextReader reader, MediaRoot root, string filePattern = "{page_dir}/{videoid}.mp4")
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(root);
        var pattern = new FilePattern(filePattern, Placeholders);

        using IEnumerator<CsvRecord> records = CsvRecords.Read(reader, ',').GetEnumerator();
        CsvHeader header = CsvHeader.Read(records, "WebVid CSV", ["videoid", CaptionColumn, .. pattern.Placeholders]);
        var builder = new ManifestBuilder(root);
        while (records.MoveNext())
        {
            CsvRecord row = records.Current;
            if (header.Problem(row) is { } problem)
            {
                builder.Reject(row.Line, row.Text, problem);
                continue;
            }

            string caption = header.ValueOf(row, CaptionColumn)!;
            if (string.IsNullOrWhiteSpace(caption))
            {
                builder.Reject(row.Line, row.Text, "empty caption");
                continue;
            }
            if (!pattern.TryFormat(column => header.ValueOf(row, column), out string path, out string? reason))
            {
                builder.Reject(row.Line, row.Text, reason);
                continue;
            }
            builder.Add(row.Line, row.Text, path, null, [caption]);
        }
        return builder.Build();
    }
}
