namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// The header row of an official CSV (Kinetics, WebVid): column positions by name, so files whose
/// columns come in another order or carry extra columns (WebVid-10M's <c>page_idx</c>, Kinetics'
/// <c>is_cc</c>) read the same. A missing required column means a wrong file, not a bad row, and
/// throws <see cref="InvalidDataException"/> naming the columns that were found.
/// </summary>
internal sealed class CsvHeader
{
    private readonly Dictionary<string, int> columns;

    private CsvHeader(CsvRecord record, Dictionary<string, int> columns)
    {
        Line = record.Line;
        Count = record.Fields.Count;
        this.columns = columns;
    }

    /// <summary>Line the header is on.</summary>
    public int Line { get; }

    /// <summary>Number of columns: every data row must have exactly this many fields.</summary>
    public int Count { get; }

    /// <summary>Reads the first record of <paramref name="records"/> as the header.</summary>
    /// <param name="format">Name of the format for messages, e.g. "Kinetics CSV".</param>
    public static CsvHeader Read(IEnumerator<CsvRecord> records, string format, IEnumerable<string> required)
    {
        if (!records.MoveNext())
        {
            throw new InvalidDataException($"The {format} is empty: expected a header row.");
        }
        CsvRecord record = records.Current;
        if (record.Error is not null)
        {
            throw new InvalidDataException($"The {format} header (line {record.Line}) is not valid CSV: {record.Error}.");
        }

        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < record.Fields.Count; i++)
        {
            // A BOM survives when the text did not come through a StreamReader; it is not part of the name.
            columns.TryAdd(record.Fields[i].Trim().TrimStart('\uFEFF'), i);
        }

        string[] missing = required.Distinct(StringComparer.Ordinal).Where(name => !columns.ContainsKey(name)).ToArray();
        if (missing.Length > 0)
        {
            string found = Echo.Bounded(string.Join(", ", record.Fields.Select(f => $"'{f.Trim()}'")));
            throw new InvalidDataException(
                $"The {format} header (line {record.Line}) lacks column(s) {string.Join(", ", missing.Select(m => $"'{m}'"))}; found: {found}.");
        }
        return new CsvHeader(record, columns);
    }

    public bool Has(string name) => columns.ContainsKey(name);

    /// <summary>Why a record cannot be read against this header (a quoting error, a wrong field count), or null.</summary>
    public string? Problem(CsvRecord record) =>
        record.Error ?? (record.Fields.Count != Count ? $"expected {Count} fields, found {record.Fields.Count}" : null);

    /// <summary>The field of <paramref name="record"/> in column <paramref name="name"/>, or null if the header has no such column.</summary>
    public string? ValueOf(CsvRecord record, string name) =>
        columns.TryGetValue(name, out int index) && index < record.Fields.Count ? record.Fields[index] : null;
}
