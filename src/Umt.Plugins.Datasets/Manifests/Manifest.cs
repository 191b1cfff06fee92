namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// What a manifest parser read: the usable entries and the rows it had to leave out, both in file
/// order. Parsers return rejections instead of throwing so one bad row never costs the whole file.
/// </summary>
internal sealed record Manifest(IReadOnlyList<ManifestEntry> Entries, IReadOnlyList<ManifestRejection> Rejected)
{
    /// <summary>Data rows seen (blank lines, comments and headers not counted).</summary>
    public int Rows => Entries.Count + Rejected.Count;
}
