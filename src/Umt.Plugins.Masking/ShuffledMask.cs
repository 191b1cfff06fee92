using Umt.Abstractions.Randomness;
using static TorchSharp.torch;

namespace Umt.Plugins.Masking;

/// <summary>
/// The draw shared by <c>random</c> and <c>tube</c> masking: per row, a uniformly random subset of
/// exactly <c>hidden</c> out of <c>length</c> positions. Both VideoMAE generators do this step
/// (a zeros/ones vector shuffled with <c>np.random.shuffle</c>, masking_generator.py) and differ
/// only in what a position is: a token of the clip (random) or a patch of the slot (tube).
/// </summary>
internal static class ShuffledMask
{
    /// <summary>
    /// Purpose string of the mask draw in <see cref="SampleKeys"/>: the keys of a row, not its
    /// place in the batch, decide the mask, so splitting a batch does not change any row's mask.
    /// </summary>
    private const string Purpose = "mask";

    /// <summary>Hidden positions out of <paramref name="length"/>: <c>int(ratio·length)</c> as VideoMAE writes it.</summary>
    public static int HiddenCount(double ratio, int length) => (int)(ratio * length); // C# cast truncates like Python int()

    /// <summary>
    /// Bool <c>[B, length]</c> on <paramref name="device"/>, <b>true = hidden</b>; every row hides
    /// exactly <paramref name="hidden"/> positions, chosen uniformly at random from that row's keys.
    /// </summary>
    public static Tensor Draw(SampleKeys keys, int length, int hidden, Device device)
    {
        using var scope = NewDisposeScope();
        // Per-sample shuffle by sorting i.i.d. noise, as MAE's random_masking does (models_mae.py):
        // every permutation is equally likely, so the hidden set is a uniform subset.
        var noise = keys.Uniform(Purpose, [length], device); // [B, L] fp32, on device
        // Stable sort breaks the rare fp32 ties by position, so the same keys give the same mask on any device.
        var shuffle = noise.sort(dim: 1, stable: true).Indices; // [B, L] positions in ascending noise order
        var rank = shuffle.argsort(dim: 1); // [B, L] rank of each position (MAE's ids_restore); a permutation, so no ties
        // The lowest-noise positions stay visible, the rest are hidden (true = hidden).
        return rank.ge(length - hidden).MoveToOuterDisposeScope(); // [B, L] bool
    }
}
