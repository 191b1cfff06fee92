namespace Umt.Runner.Engine.Data;

/// <summary>
/// The media streams of a run, in the plan's order (the videos first), and the order its steps
/// read them in (<see cref="MediaOrder"/>). Owns the streams.
/// </summary>
public sealed class MediaStreams : IDisposable
{
    private readonly List<MediaStream> streams = [];

    /// <param name="globalBatch">Samples per optimizer step over every process: a stream's full batches per epoch are its samples over this.</param>
    /// <param name="open">Opens each stream in order; those already open are disposed when a later one fails.</param>
    public MediaStreams(long seed, int globalBatch, IEnumerable<Func<MediaStream>> open)
    {
        try
        {
            foreach (var opener in open)
            {
                streams.Add(opener());
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        // The video stream is read even when it holds less than one global batch (a run given Steps
        // wraps its cursor every batch); the planner refuses an image stream that small.
        Order = new MediaOrder(seed, [.. streams.Select((s, i) => i == 0 ? Math.Max(1, s.Dataset.Info.Count / globalBatch) : s.Dataset.Info.Count / globalBatch)]);
    }

    public IReadOnlyList<MediaStream> All => streams;

    public MediaOrder Order { get; }

    /// <summary>The stream 0-based optimizer step <paramref name="step"/> reads.</summary>
    public MediaStream At(long step) => streams[Order.StreamAt(step)];

    /// <summary>Distinct unreadable samples over every stream.</summary>
    public int FailureCount => streams.Sum(s => s.Failures.Count);

    /// <summary>Unreadable samples of every stream by reason, most frequent first.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> FailuresByReason => SampleFailures.Merge([.. streams.Select(s => s.Failures.ByReason)]);

    public void Dispose()
    {
        foreach (var stream in streams)
        {
            stream.Dispose();
        }
    }
}
