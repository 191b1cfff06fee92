using static TorchSharp.torch;

namespace Umt.Abstractions.Randomness;

/// <summary>
/// Keys the randomness of one batch by sample, so every draw that concerns a sample (its mask,
/// its drop-path pattern, its augmentation) depends only on (seed, step, global sample index,
/// purpose). This is what makes a run reproducible and lets two processes with batch b draw
/// exactly what one process with batch 2b draws (architecture.md, "Randomness").
/// </summary>
/// <param name="Seed">The run's seed.</param>
/// <param name="Step">Optimizer step (or epoch, for data-side draws) the batch belongs to.</param>
/// <param name="Indices">Global sample index of each batch row.</param>
public sealed record SampleKeys(long Seed, long Step, IReadOnlyList<long> Indices)
{
    /// <summary>Batch size B.</summary>
    public int Count => Indices.Count;

    /// <summary>The 64-bit key of one row's draws for a purpose.</summary>
    public ulong Key(int row, string purpose) => KeyMix.Combine(Seed, Step, Indices[row], KeyMix.Hash(purpose));

    /// <summary>
    /// Uniform [0, 1) fp32 draws of <paramref name="shape"/> per row, stacked to
    /// <c>[B, ..shape]</c> on <paramref name="device"/>. Drawn on the CPU from one generator per
    /// row (cheap: a few hundred numbers per sample), so the values do not depend on the device.
    /// </summary>
    public Tensor Uniform(string purpose, long[] shape, Device device)
    {
        using var scope = NewDisposeScope();
        var rows = new Tensor[Count];
        for (int row = 0; row < Count; row++)
        {
            using var generator = new TorchSharp.torch.Generator(Key(row, purpose));
            rows[row] = rand(shape, dtype: ScalarType.Float32, generator: generator); // [..shape]
        }
        return stack(rows).to(device).MoveToOuterDisposeScope(); // [B, ..shape]
    }

    /// <summary>The keys of rows [start, start + length), e.g. one process's share of a batch.</summary>
    public SampleKeys Slice(int start, int length) => this with { Indices = Indices.Skip(start).Take(length).ToArray() };
}
