namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// Collects a parser's entries and rejections. Every parser adds its rows through
/// <see cref="Add"/>, so no format can forget to resolve a path under the media root.
/// </summary>
internal sealed class ManifestBuilder(MediaRoot root)
{
    private readonly List<ManifestEntry> entries = [];

    private readonly List<ManifestRejection> rejected = [];

    /// <summary>Adds a row, or rejects it when its path does not resolve inside the media root.</summary>
    public void Add(int line, string text, string relativePath, int? label, IReadOnlyList<string> captions)
    {
        if (root.TryResolve(relativePath, out string fullPath, out string? reason))
        {
            entries.Add(new ManifestEntry(line, fullPath, label, captions));
        }
        else
        {
            rejected.Add(new ManifestRejection(line, text, reason));
        }
    }

    public void Reject(int line, string text, string reason) => rejected.Add(new ManifestRejection(line, text, reason));

    public Manifest Build() => new(entries.ToArray(), rejected.ToArray());
}
