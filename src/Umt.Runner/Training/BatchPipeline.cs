using System.Threading.Channels;
using Umt.Abstractions.Datasets;

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
            var assembler = new BatchAssembler(dataset, seed, batchSize, cursor, workers);
            while (!token.IsCancellationRequested)
            {
                await channel.Writer.WriteAsync(assembler.Next(token), token).ConfigureAwait(false);
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
