using System.Threading.Channels;
using Umt.Abstractions.Datasets;

namespace Umt.Runner.Engine.Data;

/// <summary>
/// Assembles batches in sample order from a cursor, one per call: a permutation per epoch keyed by
/// (seed, epoch), incomplete tails dropped, every batch a function of (seed, cursor) alone.
/// Samples are read by <c>workers</c> decode threads from one ordered job queue that runs a batch
/// ahead, so workers never idle at a batch boundary waiting for the slowest clip (a barrier per
/// batch costs the most with ffmpeg, whose decode times vary by clip). Unreadable samples are
/// replaced (<see cref="ReplacingSampleReader"/>). <see cref="BatchPipeline"/> runs it ahead of
/// the step; the tiny teacher's training calls it between steps. Disposing stops the workers
/// and cancels reads in flight, child processes included.
/// </summary>
public sealed class BatchAssembler : IDisposable
{
    private const int LookaheadBatches = 1;

    private readonly long count;
    private readonly int frames;
    private readonly int batchSize;
    private readonly int globalBatch;
    private readonly int firstRow;
    private readonly long seed;
    private readonly ReplacingSampleReader reader;
    private readonly Channel<SampleJob> jobs = Channel.CreateUnbounded<SampleJob>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Queue<ScheduledBatch> scheduled = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Thread[] workers;
    private DataCursor cursor;
    private long orderEpoch;
    private long[] order;

    /// <param name="batchSize">Rows this process reads per batch.</param>
    /// <param name="shard">This process's slice of each global batch of <c>batchSize × shard.Count</c> samples; the whole batch by default.</param>
    public BatchAssembler(IVideoDataset dataset, long seed, int batchSize, DataCursor start, int workers, SampleFailures failures, DataShard? shard = null)
    {
        count = dataset.Info.Count;
        frames = dataset.Info.Frames;
        this.batchSize = batchSize;
        var slice = shard ?? DataShard.Whole;
        globalBatch = batchSize * slice.Count;
        firstRow = batchSize * slice.Rank;
        this.seed = seed;
        reader = new ReplacingSampleReader(dataset, seed, failures);
        cursor = start;
        orderEpoch = start.Epoch;
        order = SampleOrder.Permutation(seed, start.Epoch, count);
        this.workers = [.. Enumerable.Range(0, Math.Max(1, workers)).Select(i => new Thread(Work) { IsBackground = true, Name = $"umt-data-{i}" })];
        foreach (var thread in this.workers)
        {
            thread.Start();
        }
    }

    /// <summary>The next batch in order; rethrows a sample's failure (other than an unreadable file, which is replaced).</summary>
    public HostBatch Next(CancellationToken token = default)
    {
        while (scheduled.Count < 1 + LookaheadBatches)
        {
            Schedule();
        }
        var batch = scheduled.Dequeue();
        Schedule();
        var samples = new VideoSample[batchSize];
        for (int row = 0; row < batchSize; row++)
        {
            samples[row] = batch.Jobs[row].Result.Task.WaitAsync(token).GetAwaiter().GetResult();
        }
        return new HostBatch(batch.Indices, Collate(samples), frames, samples, batch.After);
    }

    /// <summary>Queues the reads of the batch after the last scheduled one.</summary>
    private void Schedule()
    {
        var begin = cursor.BatchStart(globalBatch, count);
        if (begin.Epoch != orderEpoch)
        {
            order = SampleOrder.Permutation(seed, begin.Epoch, count);
            orderEpoch = begin.Epoch;
        }
        var indices = new long[batchSize];
        Array.Copy(order, begin.Offset + firstRow, indices, 0, batchSize);
        var batchJobs = indices.Select(index => new SampleJob(index, begin.Epoch)).ToArray();
        foreach (var job in batchJobs)
        {
            jobs.Writer.TryWrite(job);
        }
        cursor = cursor.Advance(globalBatch, count);
        scheduled.Enqueue(new ScheduledBatch(indices, batchJobs, cursor));
    }

    private void Work()
    {
        var token = stop.Token;
        try
        {
            while (jobs.Reader.WaitToReadAsync(token).AsTask().GetAwaiter().GetResult())
            {
                while (jobs.Reader.TryRead(out var job))
                {
                    if (token.IsCancellationRequested)
                    {
                        // Disposed: the queued reads are dropped, not started with a cancelled token
                        // (a decode worker or an ffmpeg started per clip only to be killed at once).
                        job.Result.SetCanceled(token);
                        continue;
                    }
                    try
                    {
                        job.Result.SetResult(reader.Read(job.Index, job.Epoch, token));
                    }
                    catch (Exception e)
                    {
                        job.Result.SetException(e);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }
    }

    private static float[] Collate(VideoSample[] samples)
    {
        int size = samples[0].Pixels.Length;
        var pixels = new float[size * samples.Length];                                  // [B, 3, T, H, W]
        for (int row = 0; row < samples.Length; row++)
        {
            if (samples[row].Pixels.Length != size)
            {
                throw new InvalidDataException($"Sample rows differ in size ({samples[row].Pixels.Length} vs {size} values); a dataset must return [3, T, H, W] of the run's geometry.");
            }
            samples[row].Pixels.CopyTo(pixels, row * size);
        }
        return pixels;
    }

    /// <summary>Stops the workers; reads in flight are cancelled (their ffmpeg children killed) and awaited.</summary>
    public void Dispose()
    {
        stop.Cancel();
        jobs.Writer.TryComplete();
        foreach (var thread in workers)
        {
            thread.Join();
        }
        stop.Dispose();
    }

    private sealed record SampleJob(long Index, long Epoch)
    {
        public TaskCompletionSource<VideoSample> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record ScheduledBatch(long[] Indices, SampleJob[] Jobs, DataCursor After);
}
