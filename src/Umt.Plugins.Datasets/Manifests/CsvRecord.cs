namespace Umt.Plugins.Datasets.Manifests;

/// <summary>One record read by <see cref="CsvRecords"/>.</summary>
/// <param name="Line">1-based line the record starts on (a quoted field may carry it over several lines).</param>
/// <param name="Fields">The fields, unquoted; newlines inside quoted fields are <c>\n</c>.</param>
/// <param name="Text">The raw record as it stands in the file (lines joined with <c>\n</c>), for rejection messages.</param>
/// <param name="Error">Null for a well-formed record; otherwise why it is not (e.g. an unterminated quote), in which case <paramref name="Fields"/> is what was read before the error.</param>
internal sealed record CsvRecord(int Line, IReadOnlyList<string> Fields, string Text, string? Error = null);
