using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using static TorchSharp.torch;

namespace Umt.Tests.Masking;

/// <summary>
/// What <c>random</c> and <c>tube</c> share: the IMaskingStrategy contract (bool [B, N], true =
/// hidden, equal visible count per row) and keyed randomness (architecture.md, "Randomness").
/// </summary>
public sealed class KeyedMaskingTests
{
    private static readonly TokenGrid Grid = new(T: 2, H: 7, W: 7); // N = 98, P = 49

    public static TheoryData<string> Names => ["random", "tube"];

    // Hidden tokens per clip worked out by hand from VideoMAE's int(ratio * count):
    // random counts over N, tube over P and then times T. 0.29·100 is 28.999999999999996 in
    // doubles, so int() gives 28, which a rounding implementation would get wrong.
    public static TheoryData<string, double, int, int, int, int> HiddenCounts => new()
    {
        { "random", 0.9, 2, 7, 7, 88 },     // int(88.2)
        { "random", 0.75, 2, 7, 7, 73 },    // int(73.5)
        { "random", 0.29, 1, 10, 10, 28 },  // int(28.999999999999996)
        { "random", 0.0, 2, 7, 7, 0 },
        { "random", 0.9, 8, 14, 14, 1411 }, // B/16 clip: int(1411.2), Nv = 157
        { "tube", 0.9, 2, 7, 7, 88 },       // 2 · int(44.1)
        { "tube", 0.75, 2, 7, 7, 72 },      // 2 · int(36.75)
        { "tube", 0.29, 1, 10, 10, 28 },
        { "tube", 0.0, 2, 7, 7, 0 },
        { "tube", 0.9, 8, 14, 14, 1408 },   // VideoMAE-B: 8 · 176 hidden, Nv = 160
    };

    [Theory]
    [MemberData(nameof(HiddenCounts))]
    public void Every_row_hides_exactly_int_ratio_times_count_and_describe_agrees(string name, double ratio, int t, int h, int w, int hidden)
    {
        var grid = new TokenGrid(t, h, w);
        var rows = MaskingTestKit.Rows(MaskingTestKit.Strategy(name, ratio), grid, MaskingTestKit.Keys(step: 0, first: 0, count: 5));

        rows.Select(row => row.Count(isHidden => isHidden)).Should().AllBeEquivalentTo(hidden);
        MaskingTestKit.Export(name).Factory.Describe(MaskingTestKit.Options(name, ratio), MaskingTestKit.Context).VisiblePerClip(grid).Should().Be(grid.Count - hidden);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void True_means_hidden(string name)
    {
        // At ratio 0.75 a clip hides 73 (random) or 72 (tube) of 98 tokens; with the polarity
        // flipped the true entries would be the 25 or 26 visible ones.
        var rows = MaskingTestKit.Rows(MaskingTestKit.Strategy(name, 0.75), Grid, MaskingTestKit.Keys(step: 0, first: 0, count: 3));

        rows.Should().AllSatisfy(row => row.Count(isHidden => isHidden).Should().BeGreaterThan(70));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Describe_needs_no_teacher_attention_and_any_tubelet(string name)
    {
        var traits = MaskingTestKit.Export(name).Factory.Describe(MaskingTestKit.Options(name, 0.9), MaskingTestKit.Context);

        traits.NeedsTeacherAttention.Should().BeFalse();
        traits.NeedsTubeletOne.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Mask_is_made_on_the_input_device(string name)
    {
        var devices = cuda.is_available() ? new[] { CPU, CUDA } : new[] { CPU };
        foreach (var device in devices)
        {
            using var mask = MaskingTestKit.Strategy(name, 0.9).CreateMask(new MaskingInput(Grid, MaskingTestKit.Keys(0, 0, 2), device)); // [B, N]

            // Device has no value equality in TorchSharp; compare what identifies it.
            (mask.device.type, mask.device.index).Should().Be((device.type, device.index));
            mask.dtype.Should().Be(ScalarType.Bool);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Same_keys_give_the_same_mask(string name)
    {
        var first = MaskingTestKit.Rows(MaskingTestKit.Strategy(name, 0.5), Grid, MaskingTestKit.Keys(step: 3, first: 10, count: 4));
        var again = MaskingTestKit.Rows(MaskingTestKit.Strategy(name, 0.5), Grid, MaskingTestKit.Keys(step: 3, first: 10, count: 4));

        again.Should().BeEquivalentTo(first, o => o.WithStrictOrdering());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Different_samples_steps_and_seeds_give_different_masks(string name)
    {
        // C(49, 24) ≈ 6e13 tube masks and C(98, 49) ≈ 3e28 random ones: equal masks for
        // different keys would mean the keys are ignored, not bad luck.
        var strategy = MaskingTestKit.Strategy(name, 0.5);
        var reference = MaskingTestKit.Rows(strategy, Grid, MaskingTestKit.Keys(step: 3, first: 10, count: 1))[0];

        MaskingTestKit.Rows(strategy, Grid, MaskingTestKit.Keys(step: 3, first: 11, count: 1))[0].Should().NotEqual(reference);
        MaskingTestKit.Rows(strategy, Grid, MaskingTestKit.Keys(step: 4, first: 10, count: 1))[0].Should().NotEqual(reference);
        MaskingTestKit.Rows(strategy, Grid, MaskingTestKit.Keys(step: 3, first: 10, count: 1, seed: 8))[0].Should().NotEqual(reference);
        // Rows of one batch differ from each other too.
        var batch = MaskingTestKit.Rows(strategy, Grid, MaskingTestKit.Keys(step: 3, first: 10, count: 4));
        batch.Distinct(new RowComparer()).Should().HaveCount(4);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_row_has_the_same_mask_whether_its_batch_is_whole_or_split(string name)
    {
        // Two processes with batch 2 must draw what one process with batch 4 draws.
        var strategy = MaskingTestKit.Strategy(name, 0.9);
        var keys = MaskingTestKit.Keys(step: 5, first: 100, count: 4);

        var whole = MaskingTestKit.Rows(strategy, Grid, keys);
        var split = MaskingTestKit.Rows(strategy, Grid, keys.Slice(0, 2)).Concat(MaskingTestKit.Rows(strategy, Grid, keys.Slice(2, 2))).ToArray();

        split.Should().BeEquivalentTo(whole, o => o.WithStrictOrdering());
        // A row also keeps its mask when it moves to another place in the batch.
        var reordered = MaskingTestKit.Rows(strategy, Grid, keys with { Indices = [103, 100] });
        reordered[0].Should().Equal(whole[3]);
        reordered[1].Should().Equal(whole[0]);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_token_is_hidden_with_the_same_frequency(string name)
    {
        // Over S clips the hidden count of one token is Binomial(S, p), with p = hidden / count
        // by symmetry (49/98 for random, 24/49 per patch for tube). A tolerance of 5 standard
        // deviations, sqrt(p(1-p)/S) ≈ 0.0079 at S = 4000, lets a correct sampler fail for a
        // given seed with probability below 98 · 5.7e-7 ≈ 6e-5, while a sampler that favours
        // positions (no shuffle, a shuffle that ignores the keys, a permutation misread as a
        // mask) puts tokens at frequency 0 or 1.
        const int samples = 4000;
        double p = name == "random" ? 49.0 / 98 : 24.0 / 49;
        double tolerance = 5 * Math.Sqrt(p * (1 - p) / samples);

        var rows = MaskingTestKit.Rows(MaskingTestKit.Strategy(name, 0.5), Grid, MaskingTestKit.Keys(step: 1, first: 0, count: samples));
        var frequency = Enumerable.Range(0, Grid.Count).Select(n => rows.Count(row => row[n]) / (double)samples).ToArray();

        frequency.Should().AllSatisfy(f => f.Should().BeApproximately(p, tolerance));
    }

    private sealed class RowComparer : IEqualityComparer<bool[]>
    {
        public bool Equals(bool[]? x, bool[]? y) => x!.SequenceEqual(y!);

        public int GetHashCode(bool[] row) => row.Aggregate(17, (hash, bit) => hash * 31 + (bit ? 1 : 0));
    }
}
