namespace Umt.Runner.Engine.Data;

/// <summary>
/// Which stream each optimizer step reads when image batches alternate with video batches, as the
/// reference's <c>MetaLoader</c> (multi_modality/dataset/dataloader.py): every epoch is each
/// stream's full batches once, in a shuffled order, so each stream's share of the steps equals its
/// share of the batches. The order is a pure function of (seed, step), so a resumed run, or every
/// process of a distributed run, reads the same stream at the same step (the reference broadcasts
/// its shuffled order from rank 0 for this).
/// </summary>
/// <param name="batchesPerStream">Full batches per epoch of each stream, in stream order (the first ≥ 1).</param>
public sealed class MediaOrder(long seed, IReadOnlyList<long> batchesPerStream)
{
    private long cachedEpoch = -1;
    private long[] cachedOrder = [];

    /// <summary>Full batches per epoch of each stream, in stream order.</summary>
    public IReadOnlyList<long> BatchesPerStream => batchesPerStream;

    /// <summary>Steps per epoch: every full batch of every stream.</summary>
    public long StepsPerEpoch { get; } = batchesPerStream.Sum();

    /// <summary>The stream (index into <c>batchesPerStream</c>) that 0-based optimizer step <paramref name="step"/> reads.</summary>
    public int StreamAt(long step)
    {
        if (batchesPerStream.Count == 1)
        {
            return 0;
        }
        long epoch = step / StepsPerEpoch;
        if (epoch != cachedEpoch)
        {
            cachedOrder = SampleOrder.Permutation(seed, epoch, StepsPerEpoch, "media-order");
            cachedEpoch = epoch;
        }
        // The shuffled epoch's slots are the streams' batches back to back: [0, b0) the first stream's, [b0, b0 + b1) the next's.
        long slot = cachedOrder[step % StepsPerEpoch];
        int stream = 0;
        while (slot >= batchesPerStream[stream])
        {
            slot -= batchesPerStream[stream++];
        }
        return stream;
    }
}
