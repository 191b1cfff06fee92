namespace Umt.Models.Layers;

/// <summary>Per-block drop-path rates.</summary>
public static class DropPathRates
{
    /// <summary>
    /// Rates rising linearly from 0 at the first block to <paramref name="max"/> at the last, as the
    /// reference's <c>[x.item() for x in torch.linspace(0, drop_path_rate, depth)]</c>.
    /// </summary>
    public static double[] Linear(double max, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        if (max is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, "A drop-path rate must lie in [0, 1].");
        }
        // torch.linspace with one step returns its start.
        return depth == 1 ? [0.0] : Enumerable.Range(0, depth).Select(i => max * i / (depth - 1)).ToArray();
    }
}
