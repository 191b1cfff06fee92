using Umt.Abstractions.Datasets;
using Umt.Abstractions.Randomness;

namespace Umt.Runner.Training;

/// <summary>
/// Assembles batches in sample order from a cursor, one per call: a permutation per epoch keyed by
/// (seed, epoch), incomplete tails dropped, each batch's samples read in parallel by
/// <c>workers</c> threads with their augmentation keyed by (seed, epoch, index). Every batch
/// therefore depends only on (seed, cursor). <see cref="BatchPipeline"/> runs one ahead of the
/// step; the tiny teacher's training calls it between steps.
/// </summary>
public sealed class BatchAssembler(IVideoDataset dataset, long seed, int batchSize, DataCursor start, int workers)
{
    private readonly long count = dataset.Info.Count;
    private DataCursor cursor = start;
    private long[] order = SampleOrder.Permutation(seed, start.Epoch, dataset.Info.Count);

    /// <summary>The next batch in order.</summary>
    public HostBatch Next(CancellationToken token = default)
    {
        var begin = cursor.BatchStart(batchSize, count);
        if (begin.Epoch != cursor.Epoch)
        {
            order = SampleOrder.Permutation(seed, begin.Epoch, count);
        }
        var indices = new long[batchSize];
        Array.Copy(order, begin.Offset, indices, 0, batchSize);
        var samples = new VideoSample[batchSize];
        Parallel.For(0, batchSize, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = token }, row =>
        {
            ulong key = KeyMix.Combine(seed, begin.Epoch, indices[row], KeyMix.Hash("augment"));
            samples[row] = dataset.Read(indices[row], key);
        });
        cursor = cursor.Advance(batchSize, count);
        return new HostBatch(indices, Collate(samples), samples, cursor);
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
}
