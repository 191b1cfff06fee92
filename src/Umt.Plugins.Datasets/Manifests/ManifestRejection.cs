namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// A row that could not be used, kept (rather than thrown) because real manifests always hold a
/// few bad rows and one of them must not stop a 240 000-row Kinetics list: the caller decides
/// whether the share of rejections is acceptable and can show the user where they are.
/// </summary>
/// <param name="Line">Same meaning as <see cref="ManifestEntry.Line"/>: line for text formats, array position for JSON.</param>
/// <param name="Text">The raw row, shortened to <see cref="MaxTextLength"/> characters so a huge bad row does not flood a log.</param>
/// <param name="Reason">A short human reason, e.g. "label 'abc' is not an integer".</param>
internal sealed record ManifestRejection(int Line, string Text, string Reason)
{
    /// <summary>Longest <see cref="Text"/> kept; longer rows end in an ellipsis.</summary>
    public const int MaxTextLength = 200;

    public string Text { get; init; } = Shorten(Text);

    private static string Shorten(string text)
    {
        if (text.Length <= MaxTextLength)
        {
            return text;
        }
        // Never cut a surrogate pair in half: the message would hold an invalid character.
        int cut = char.IsHighSurrogate(text[MaxTextLength - 1]) ? MaxTextLength - 1 : MaxTextLength;
        return string.Concat(text.AsSpan(0, cut), "…");
    }
}
