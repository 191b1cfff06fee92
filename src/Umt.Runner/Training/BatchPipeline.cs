using System.Threading.Channels;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Randomness;

namespace Umt.Runner.Training;

/// <summary>
/// Reads batches ahead of the training step: one producer task walks the sample order from a
/// cursor, reads each batch's samples in parallel (<c>Umt:Run:DataWorkers</c>) and hands
/// finished batches through a bounded channel, so the step never waits on decoding unless data
/// is slower than compute. The sample order, and so every batch, depends only on (seed, cursor).
/// </summary>
public sealed class BatchPipeline : IDisposable
{
    private const int Prefetch = 2;

    private readonly Channel<HostBatch> channel = Channel.CreateBounded<HostBatch>(new BoundedChannelOptions(Prefetch) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource stop = new();
    private readonly Task producer;

    public BatchPipeline(IVideoDataset dataset, long seed, int batchSize, DataCursor start, int workers)
    {
        producer = Task.Run(() => Produce(dataset, seed, batchSize, start, workers, stop.Token));
    }

    /// <summary>The next batch, in order; rethrows a failure of the producer.</summary>
    public HostBatch Next()
    {
        try
        {
            return channel.Reader.ReadAsync(stop.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            throw new InvalidOperationException($"Reading training data failed: {e.InnerException.Message}", e.InnerException);
        }
    }

    private async Task Produce(IVideoDataset dataset, long seed, int batchSize, DataCursor cursor, int workers, CancellationToken token)
    {
        try
        {
            long count = dataset.Info.Count;
            long[] order = SampleOrder.Permutation(seed, cursor.Epoch, count);
            while (!token.IsCancellationRequested)
            {
                var start = cursor.BatchStart(batchSize, count);
                if (start.Epoch != cursor.Epoch)
                {
                    order = SampleOrder.Permutation(seed, start.Epoch, count);
                }
                var indices = new long[batchSize];
                Array.Copy(order, start.Offset, indices, 0, batchSize);
                var samples = new VideoSample[batchSize];
                Parallel.For(0, batchSize, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = token }, row =>
                {
                    ulong key = KeyMix.Combine(seed, start.Epoch, indices[row], KeyMix.Hash("augment"));
                    samples[row] = dataset.Read(indices[row], key);
                });
                cursor = cursor.Advance(batchSize, count);
                await channel.Writer.WriteAsync(new HostBatch(indices, Collate(samples), samples, cursor), token).ConfigureAwait(false);
            }
            channel.Writer.TryComplete();
        }
        catch (OperationCanceledException)
        {
            channel.Writer.TryComplete();
        }
        catch (Exception e)
        {
            channel.Writer.TryComplete(e);
        }
    }

    private static float[] Collate(VideoSample[] samples)
    {
        int size = samples[0].Pixels.Length;
        var pixels = new float[size * samples.Length];
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

    public void Dispose()
    {
        stop.Cancel();
        try
        {
            producer.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // the producer's failure was already reported through Next()
        }
        stop.Dispose();
    }
}
