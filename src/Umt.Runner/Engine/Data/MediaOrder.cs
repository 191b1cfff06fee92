namespace Umt.Runner.Engine.Data;

/// <summary>
/// Which stream each optimizer step reads when image batches alternate with video batches, as the
/// reference's <c>MetaLoader</c> (multi_modality/dataset/dataloader.py): every epoch is each
/// stream's full batches once, in a shuffled order, so the share of image steps equals the share
/// of image batches. The order is a pure function of (seed, step), so a resumed run, or every
/// process of a distributed run, takes the same media type at the same step (the reference
/// broadcasts its shuffled order from rank 0 for this).
/// </summary>
/// <param name="videoBatches">Full video batches per epoch (≥ 1).</param>
/// <param name="imageBatches">Full image batches per epoch (0: a video-only run).</param>
public sealed class MediaOrder(long seed, long videoBatches, long imageBatches)
{
    private long cachedEpoch = -1;
    private long[] cachedOrder = [];

    /// <summary>Steps per epoch: every full batch of both streams.</summary>
    public long StepsPerEpoch => videoBatches + imageBatches;

    /// <summary>Whether 0-based optimizer step <paramref name="step"/> reads an image batch.</summary>
    public bool IsImageStep(long step)
    {
        if (imageBatches == 0)
        {
            return false;
        }
        long epoch = step / StepsPerEpoch;
        if (epoch != cachedEpoch)
        {
            cachedOrder = SampleOrder.Permutation(seed, epoch, StepsPerEpoch, "media-order");
            cachedEpoch = epoch;
        }
        // Slots [0, videoBatches) of the shuffled epoch are video batches, the rest image batches.
        return cachedOrder[step % StepsPerEpoch] >= videoBatches;
    }
}
