namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// Values a message repeats back to the user (manifest rows, labels, paths, configuration
/// values), bounded: they come from downloaded files and user input, and a 100 MB row or path
/// must not become a 100 MB log line. The head and the tail are kept, because a path is told
/// apart by its folder at the start and its file name at the end.
/// </summary>
internal static class Echo
{
    /// <summary>Longest value echoed whole; longer ones keep this many characters around an ellipsis.</summary>
    public const int MaxLength = 200;

    public static string Bounded(string value)
    {
        if (value.Length <= MaxLength)
        {
            return value;
        }
        int head = MaxLength / 2, tail = MaxLength - head;
        // Never cut a surrogate pair in half: the message would hold an invalid character.
        if (char.IsHighSurrogate(value[head - 1]))
        {
            head--;
        }
        if (char.IsLowSurrogate(value[^tail]))
        {
            tail--;
        }
        return string.Concat(value.AsSpan(0, head), "…", value.AsSpan(value.Length - tail));
    }
}
