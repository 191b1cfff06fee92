namespace Umt.Runner.Engine.Progress;

/// <summary>
/// Progress of a loop that counts bytes (reading or writing a weight file in <c>umt convert</c>),
/// shown in megabytes: a ViT-L checkpoint is over a gigabyte, and a count of bytes would be
/// unreadable beside its rate. Reports take bytes so the writers need not know the display unit.
/// </summary>
public sealed class ByteProgress : IDisposable
{
    private const double BytesPerMegabyte = 1e6;

    private readonly IProgressCounter counter;
    private readonly long totalBytes;

    /// <param name="renderer">Where progress is shown.</param>
    /// <param name="label">What is done, as the verb is called (<c>convert read</c>).</param>
    /// <param name="totalBytes">Bytes the loop will move.</param>
    public ByteProgress(ProgressRenderer renderer, string label, long totalBytes)
    {
        this.totalBytes = totalBytes;
        counter = renderer.Start(label, Megabytes(totalBytes), "MB");
    }

    /// <param name="bytes">Bytes done so far (not an increment).</param>
    public void Report(long bytes) => counter.Report(Megabytes(Math.Min(bytes, totalBytes)));

    /// <summary>The loop is over: shown as complete (a reader's count stops short of the file's length by its header).</summary>
    public void Complete() => Report(totalBytes);

    public void Dispose() => counter.Dispose();

    private static long Megabytes(long bytes) => (long)Math.Ceiling(bytes / BytesPerMegabyte);
}
