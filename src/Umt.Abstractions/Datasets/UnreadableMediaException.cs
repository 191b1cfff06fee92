namespace Umt.Abstractions.Datasets;

/// <summary>
/// A sample whose media cannot be used: a missing or broken file, a clip with too few frames, a
/// bad manifest row. Datasets throw it from <see cref="IVideoDataset.Read"/>; the runner skips the
/// sample, logs it once, counts it and reads another in its place (real corpora always hold some
/// broken videos, and the reference's loaders crash or loop on them). Any other exception from
/// <c>Read</c> is a bug and stops the run.
/// </summary>
public sealed class UnreadableMediaException : IOException
{
    /// <param name="source">The file (or manifest row) that failed.</param>
    /// <param name="reason">Short category, the same for every sample that fails the same way ("missing file", "decode failed"): reports group by it.</param>
    /// <param name="detail">Specifics, e.g. the decoder's last message; may be empty.</param>
    public UnreadableMediaException(string source, string reason, string detail = "", Exception? inner = null)
        : base(detail.Length == 0 ? $"{source}: {reason}" : $"{source}: {reason} ({detail})", inner)
    {
        MediaPath = source;
        Reason = reason;
        Detail = detail;
    }

    /// <summary>The file (or manifest row) that failed.</summary>
    public string MediaPath { get; }

    /// <summary>Short category that reports group by.</summary>
    public string Reason { get; }

    public string Detail { get; }
}
