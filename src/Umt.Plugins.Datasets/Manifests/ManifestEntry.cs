namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// One usable row of a manifest: a media file, its class index and its captions. Parsers produce
/// entries with the path already resolved and checked by <see cref="MediaRoot"/>, so a dataset
/// never sees a relative or escaping path.
/// </summary>
/// <param name="Line">
/// Where the row came from, 1-based, so a message about the entry points at the file: the line
/// the row starts on for text formats (CSV, TSV, lists), the position of the element in the
/// top-level array for JSON formats (JSON parsers do not track lines).
/// </param>
/// <param name="Path">Full path of the media file, inside the media root.</param>
/// <param name="Label">Class index, or null where the format has none (test splits, caption data).</param>
/// <param name="Captions">Zero or more captions, as written in the file (not cleaned: see <see cref="CaptionText"/>).</param>
internal sealed record ManifestEntry(int Line, string Path, int? Label, IReadOnlyList<string> Captions);
