using Umt.Abstractions.Datasets;
using Umt.Abstractions.Randomness;
using Umt.Runner.Training;

namespace Umt.Runner.TeacherTraining;

/// <summary>
/// Reads batches on the calling thread, between torch calls (samples rendered in parallel by
/// <c>workers</c> threads while the caller waits), in the same order as <see cref="BatchPipeline"/>:
/// a permutation per epoch keyed by (seed, epoch), incomplete tails dropped.
/// </summary>
/// <remarks>
/// Why not the prefetching <see cref="BatchPipeline"/>: a producer that allocates while the step
/// runs triggers garbage collections during TorchSharp's native calls, and TorchSharp 0.107 keeps
/// no reference to the implicit <c>Scalar</c>s it passes by handle (<c>add_(eps)</c> in AdamW,
/// <c>x * 1.702</c> in QuickGELU): the finalizer can free a scalar that a native call is still
/// reading. The teacher's first full run died that way after ~60 steps ("Expected false to be
/// true" from <c>Scalar::toFloat</c>). The step itself runs in a <see cref="CollectionPause"/>,
/// which a concurrent producer's allocations would break.
/// </remarks>
internal sealed class SynchronousBatchReader(IVideoDataset dataset, long seed, int batchSize, int workers)
{
    private readonly long count = dataset.Info.Count;
    private DataCursor cursor = new(0, 0);
    private long[] order = SampleOrder.Permutation(seed, 0, dataset.Info.Count);

    /// <summary>The next batch in order.</summary>
    public HostBatch Next()
    {
        var start = cursor.BatchStart(batchSize, count);
        if (start.Epoch != cursor.Epoch)
        {
            order = SampleOrder.Permutation(seed, start.Epoch, count);
        }
        var indices = new long[batchSize];
        Array.Copy(order, start.Offset, indices, 0, batchSize);
        var samples = new VideoSample[batchSize];
        Parallel.For(0, batchSize, new ParallelOptions { MaxDegreeOfParallelism = workers }, row =>
        {
            ulong key = KeyMix.Combine(seed, start.Epoch, indices[row], KeyMix.Hash("augment"));
            samples[row] = dataset.Read(indices[row], key);
        });
        cursor = cursor.Advance(batchSize, count);

        int size = samples[0].Pixels.Length;
        var pixels = new float[size * batchSize];                                       // [B, 3, T, H, W]
        for (int row = 0; row < batchSize; row++)
        {
            samples[row].Pixels.CopyTo(pixels, row * size);
        }
        return new HostBatch(indices, pixels, samples, cursor);
    }
}
