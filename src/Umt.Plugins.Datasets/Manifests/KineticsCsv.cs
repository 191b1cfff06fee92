namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// The official Kinetics CSVs (<c>label,youtube_id,time_start,time_end,split</c>, K400's with an
/// extra <c>is_cc</c>): one row per clip, naming a YouTube segment rather than a file. The file name
/// comes from a <see cref="FilePattern"/> over the columns, usually
/// <c>{youtube_id}_{time_start:06}_{time_end:06}.mp4</c> as the common downloaders save clips, or
/// <c>{label}/...</c> for class-folder layouts.
/// </summary>
/// <remarks>
/// <para>
/// Columns are found by name in the header. <c>youtube_id</c> and every column the pattern uses are
/// required (a missing one throws <see cref="InvalidDataException"/>: wrong file). <c>label</c> is
/// optional: older test CSVs have none, and their entries have a null label.
/// </para>
/// <para>
/// Class index: the label's position in <c>classNames</c> when given (so the indices of train, val
/// and a partial download agree with a fixed class list), else its position among the ordinally
/// sorted distinct labels of this file, which is the class order the reference tools use. Labels of
/// every row with the right number of fields count, including rows rejected for another reason, so
/// a bad path does not shift every later class.
/// </para>
/// </remarks>
internal static class KineticsCsv
{
    /// <summary>The placeholders a pattern may use: the official columns.</summary>
    public static readonly IReadOnlyList<string> Placeholders = ["label", "youtube_id", "time_start", "time_end", "split"];

    private const string LabelColumn = "label";

    private const string Format = "Kinetics CSV";

    public static (Manifest Manifest, IReadOnlyList<string> Classes) Parse(
        TextReader reader, MediaRoot root, string filePattern, IReadOnlyList<string>? classNames)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(root);
        var pattern = new FilePattern(filePattern, Placeholders);
        Dictionary<string, int>? given = classNames is null ? null : IndexClassNames(classNames);

        using IEnumerator<CsvRecord> records = CsvRecords.Read(reader, ',').GetEnumerator();
        CsvHeader header = CsvHeader.Read(records, Format, ["youtube_id", .. pattern.Placeholders]);
        var rows = new List<CsvRecord>();
        while (records.MoveNext())
        {
            rows.Add(records.Current);
        }

        bool hasLabels = header.Has(LabelColumn);
        IReadOnlyList<string> classes;
        Dictionary<string, int> indexOf;
        if (given is not null)
        {
            classes = classNames!.ToArray();
            indexOf = given;
        }
        else
        {
            string[] sorted = hasLabels
                ? rows.Where(r => header.Problem(r) is null)
                    .Select(r => header.ValueOf(r, LabelColumn)!.Trim())
                    .Where(l => l.Length > 0)
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .ToArray()
                : [];
            classes = sorted;
            indexOf = IndexClassNames(sorted);
        }

        var builder = new ManifestBuilder(root);
        foreach (CsvRecord row in rows)
        {
            if (header.Problem(row) is { } problem)
            {
                builder.Reject(row.Line, row.Text, problem);
                continue;
            }

            int? label = null;
            if (hasLabels)
            {
                string name = header.ValueOf(row, LabelColumn)!.Trim();
                if (name.Length == 0)
                {
                    builder.Reject(row.Line, row.Text, "empty label");
                    continue;
                }
                if (!indexOf.TryGetValue(name, out int index))
                {
                    builder.Reject(row.Line, row.Text, $"label '{Echo.Bounded(name)}' is not in the class list");
                    continue;
                }
                label = index;
            }

            if (!pattern.TryFormat(column => header.ValueOf(row, column), out string path, out string? reason))
            {
                builder.Reject(row.Line, row.Text, reason);
                continue;
            }
            builder.Add(row.Line, row.Text, path, label, []);
        }
        return (builder.Build(), classes);
    }

    private static Dictionary<string, int> IndexClassNames(IReadOnlyList<string> names)
    {
        var index = new Dictionary<string, int>(names.Count, StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            string name = names[i].Trim();
            if (!index.TryAdd(name, i))
            {
                throw new ArgumentException($"Class '{Echo.Bounded(name)}' appears twice in the class list (positions {index[name]} and {i}).", nameof(names));
            }
        }
        return index;
    }
}
