using Serilog;
using Umt.Abstractions.Datasets;

namespace Umt.Runner.Engine.Data;

/// <summary>
/// One media stream a run trains on: its dataset, the masking of its batches, the pipeline that
/// reads them ahead, its cursor and its unreadable samples. Stage 1 has the video stream; stage 2
/// adds the image stream whose batches alternate with the videos' (<see cref="MediaOrder"/>). Each
/// stream keeps its own cursor and failures, so a checkpoint restores every stream where it stood.
/// Owns the dataset and the pipeline; the masking belongs to the model.
/// </summary>
public sealed class MediaStream : IDisposable
{
    private readonly BatchPipeline pipeline;

    /// <param name="failed">Sample indices found unreadable in earlier sittings of the run.</param>
    /// <param name="shard">This process's rows of every global batch.</param>
    public MediaStream(StreamMasking masking, IVideoDataset dataset, DataCursor cursor, IEnumerable<long> failed, StreamReading reading, DataShard shard, ILogger log)
    {
        Masking = masking;
        Dataset = dataset;
        Cursor = cursor;
        Failures = new SampleFailures(log, dataset.Info.Count, reading.MaxFailureFraction);
        Failures.Restore(failed);
        pipeline = new BatchPipeline(dataset, reading.Seed, reading.BatchSize, cursor, reading.Workers, Failures, reading.Prefetch, shard);
    }

    public string Name => Masking.Stream;

    public StreamMasking Masking { get; }

    public IVideoDataset Dataset { get; }

    public SampleFailures Failures { get; }

    /// <summary>Where the stream stands after the last step that read it: the next sample is <c>Permutation(seed, Epoch)[Offset]</c>.</summary>
    public DataCursor Cursor { get; private set; }

    /// <summary>The next batch, in order (the pipeline's prefetch runs ahead of <see cref="Cursor"/>).</summary>
    public HostBatch Next() => pipeline.Next();

    /// <summary>A step consumed the stream's batches up to <paramref name="after"/>.</summary>
    public void Consumed(DataCursor after) => Cursor = after;

    public void Dispose()
    {
        pipeline.Dispose();
        Dataset.Dispose();
    }
}
