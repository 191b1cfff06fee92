using Umt.Abstractions.Datasets;
using Umt.Abstractions.Randomness;

namespace Umt.Runner.Engine.Data;

/// <summary>
/// Reads a sample, or, when it is unreadable, a replacement drawn from (seed, epoch, index,
/// attempt), as the reference replaces a failed video by a random one, but keyed, so a resumed
/// run or another process layout picks the same replacement. A sample's augmentation key is
/// (seed, epoch, index of the sample actually read, "augment").
/// </summary>
public sealed class ReplacingSampleReader(IVideoDataset dataset, long seed, SampleFailures failures)
{
    /// <summary>Replacements tried before giving up (only reachable when nearly every sample fails and the limit allows it).</summary>
    public const int MaxAttempts = 100;

    private static readonly ulong AugmentPurpose = KeyMix.Hash("augment");
    private static readonly ulong ReplacePurpose = KeyMix.Hash("replace");

    private readonly long count = dataset.Info.Count;

    /// <summary>The augmentation key of sample <paramref name="index"/> in <paramref name="epoch"/>.</summary>
    public ulong AugmentationKey(long epoch, long index) => KeyMix.Combine(seed, epoch, index, AugmentPurpose);

    public VideoSample Read(long index, long epoch, CancellationToken cancel)
    {
        long candidate = index;
        for (int attempt = 1; ; attempt++)
        {
            if (!failures.IsKnown(candidate))
            {
                try
                {
                    return dataset.Read(candidate, AugmentationKey(epoch, candidate), cancel);
                }
                catch (UnreadableMediaException failure)
                {
                    failures.Record(candidate, failure);
                }
            }
            if (attempt > MaxAttempts)
            {
                throw new InvalidOperationException($"No readable sample found in {MaxAttempts} replacements of sample {index}; {failures.Count} of {count} samples have failed.");
            }
            candidate = (long)(KeyMix.Combine([seed, epoch, index, attempt, unchecked((long)ReplacePurpose)]) % (ulong)count);
        }
    }
}
