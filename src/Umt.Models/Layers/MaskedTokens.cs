using static TorchSharp.torch;

namespace Umt.Models.Layers;

/// <summary>
/// Picks tokens out of <c>[B, N, C]</c> with a bool mask, keeping ascending token order: the
/// reference's <c>x[~mask].reshape(B, -1, C)</c>. Masks in this project are bool <c>[B, N]</c>,
/// true = hidden, and every row hides the same number of tokens.
/// </summary>
public static class MaskedTokens
{
    /// <summary>Tokens where <paramref name="mask"/> is false (the visible ones).</summary>
    /// <param name="tokens"><c>[B, N, C]</c>.</param>
    /// <param name="mask">Bool <c>[B, N]</c>, true = hidden.</param>
    /// <returns><c>[B, Nv, C]</c>.</returns>
    public static Tensor Visible(Tensor tokens, Tensor mask) => Select(tokens, mask, hidden: false);

    /// <summary>Tokens where <paramref name="mask"/> is true (the hidden ones).</summary>
    /// <param name="tokens"><c>[B, N, C]</c>.</param>
    /// <param name="mask">Bool <c>[B, N]</c>, true = hidden.</param>
    /// <returns><c>[B, Nm, C]</c>.</returns>
    public static Tensor Hidden(Tensor tokens, Tensor mask) => Select(tokens, mask, hidden: true);

    /// <summary>
    /// Checks that <paramref name="mask"/> is bool <c>[batch, tokens]</c> and hides the same number
    /// of tokens in every row (the precondition of the reshape above).
    /// </summary>
    /// <returns>Hidden tokens per row, Nm.</returns>
    public static long HiddenPerRow(Tensor mask, long batch, long tokens)
    {
        if (mask.dtype != ScalarType.Bool || mask.dim() != 2 || mask.shape[0] != batch || mask.shape[1] != tokens)
        {
            throw new ArgumentException(
                $"The mask must be bool [{batch}, {tokens}] (true = hidden); got {mask.dtype} [{string.Join(", ", mask.shape)}].",
                nameof(mask));
        }
        using var scope = NewDisposeScope();
        var hiddenCounts = mask.sum(1, type: ScalarType.Int64);                    // [B]
        var extremes = stack([hiddenCounts.min(), hiddenCounts.max()]).cpu();     // [2]  one device sync
        var (least, most) = (extremes[0].item<long>(), extremes[1].item<long>());
        if (least != most)
        {
            throw new ArgumentException(
                $"Every mask row must hide the same number of tokens; rows hide between {least} and {most}.", nameof(mask));
        }
        return least;
    }

    private static Tensor Select(Tensor tokens, Tensor mask, bool hidden)
    {
        var (batch, count, channels) = (tokens.shape[0], tokens.shape[1], tokens.shape[2]);
        var hiddenPerRow = HiddenPerRow(mask, batch, count);
        var selection = hidden ? mask : mask.logical_not();                     // [B, N]  true = pick
        var perRow = hidden ? hiddenPerRow : count - hiddenPerRow;
        var picked = tokens.index(TensorIndex.Tensor(selection));               // [B * Ns, C]  row-major, so ascending per row
        return picked.reshape(batch, perRow, channels);                         // [B, Ns, C]
    }
}
