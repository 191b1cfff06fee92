using System.Threading.Channels;
using Umt.Abstractions.Datasets;

namespace Umt.Runner.Engine.Data;

/// <summary>
/// Reads batches ahead of the training step: a producer task takes batches from a
/// <see cref="BatchAssembler"/> (W decode workers, a batch of reads queued ahead) and hands them
/// through a bounded channel of <c>prefetch</c> finished batches, so the step never waits on
/// decoding unless data is slower than compute. The sample order, and so every batch, depends
/// only on (seed, cursor). Disposing stops the producer and the workers, and kills any decoder
/// child process in flight.
/// </summary>
public sealed class BatchPipeline : IDisposable
{
    private readonly Channel<HostBatch> channel;
    private readonly CancellationTokenSource stop = new();
    private readonly BatchAssembler assembler;
    private readonly Task producer;

    /// <param name="shard">This process's rows of every global batch (<see cref="DataShard"/>); the whole batch by default.</param>
    public BatchPipeline(IVideoDataset dataset, long seed, int batchSize, DataCursor start, int workers, SampleFailures failures, int prefetch = 2, DataShard? shard = null)
    {
        channel = Channel.CreateBounded<HostBatch>(new BoundedChannelOptions(Math.Max(1, prefetch)) { SingleReader = true, SingleWriter = true });
        assembler = new BatchAssembler(dataset, seed, batchSize, start, workers, failures, shard);
        producer = Task.Run(() => Produce(stop.Token));
    }

    /// <summary>The next batch, in order; rethrows a failure of the producer.</summary>
    public HostBatch Next()
    {
        try
        {
            return channel.Reader.ReadAsync(stop.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException e) when (e.InnerException is TooManyFailedSamplesException tooMany)
        {
            throw new TooManyFailedSamplesException(tooMany.Message);
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            throw new InvalidOperationException($"Reading training data failed: {e.InnerException.Message}", e.InnerException);
        }
    }

    private async Task Produce(CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                await channel.Writer.WriteAsync(assembler.Next(token), token).ConfigureAwait(false);
            }
            channel.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
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
            producer.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // the producer's failure was already reported through Next()
        }
        assembler.Dispose();
        stop.Dispose();
    }
}
