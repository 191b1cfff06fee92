namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// A row that could not be used, kept (rather than thrown) because real manifests always hold a
/// few bad rows and one of them must not stop a 240 000-row Kinetics list: the caller decides
/// whether the share of rejections is acceptable and can show the user where they are.
/// </summary>
/// <param name="Line">Same meaning as <see cref="ManifestEntry.Line"/>: line for text formats, array position for JSON.</param>
/// <param name="Text">The raw row, shortened by <see cref="Echo"/> so a huge bad row does not flood a log.</param>
/// <param name="Reason">A short human reason, e.g. "label 'abc' is not an integer"; values it quotes are shortened by <see cref="Echo"/>.</param>
internal sealed record ManifestRejection(int Line, string Text, string Reason)
{
    public string Text { get; init; } = Echo.Bounded(Text);
}
