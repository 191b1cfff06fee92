using Umt.Abstractions.Randomness;

namespace Umt.Runner.Engine.Data;

/// <summary>
/// The order samples are visited in: a fresh permutation of [0, count) per epoch, a pure
/// function of (seed, epoch), so a resumed run (or another process) sees the same order.
/// Fisher–Yates over a SplitMix64 stream keyed by (seed, epoch).
/// </summary>
public static class SampleOrder
{
    /// <param name="purpose">Separates independent orders of the same (seed, epoch, count), e.g. the samples' and the media types' of stage 2.</param>
    public static long[] Permutation(long seed, long epoch, long count, string purpose = "sample-order")
    {
        var order = new long[count];
        for (long i = 0; i < count; i++)
        {
            order[i] = i;
        }
        ulong state = KeyMix.Combine(seed, epoch, count, KeyMix.Hash(purpose));
        for (long i = count - 1; i > 0; i--)
        {
            state = KeyMix.Combine([unchecked((long)state), i]);
            long j = (long)(state % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
