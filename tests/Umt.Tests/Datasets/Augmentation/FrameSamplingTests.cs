using Umt.Plugins.Datasets.Augmentation;
using Umt.Plugins.Datasets.Randomness;

namespace Umt.Tests.Datasets.Augmentation;

/// <summary>
/// The reference's temporal samplers (mae.py <c>_sample_train_indices</c>, video_utils.py
/// <c>get_frame_indices</c>), checked on hand-computed cases and over many keys.
/// </summary>
public sealed class FrameSamplingTests
{
    private const int Keys = 2000;

    private static int[] Sample(FrameSamplingMode mode, int frameCount, int frames, ulong key)
    {
        var rng = new SplitMix64(key);
        return FrameSampling.Indices(mode, frameCount, frames, ref rng);
    }

    [Fact]
    public void Middle_of_250_frames_into_8_matches_the_reference()
    {
        // Measured with the reference's get_frame_indices(8, 250, 'middle').
        Sample(FrameSamplingMode.Middle, 250, 8, 0).Should().Equal(15, 46, 77, 108, 140, 171, 202, 233);
    }

    [Fact]
    public void Middle_of_10_frames_into_4_is_the_hand_computed_list()
    {
        // linspace(0, 10, 5) = 0, 2.5, 5, 7.5, 10 → astype(int) 0, 2, 5, 7, 10.
        // Ranges (x0, x1 − 1): (0, 1), (2, 4), (5, 6), (7, 9); (x0 + x1) // 2: 0, 3, 5, 8.
        Sample(FrameSamplingMode.Middle, 10, 4, 0).Should().Equal(0, 3, 5, 8);
    }

    [Fact]
    public void Middle_of_a_short_video_pads_with_its_last_frame()
    {
        // acc_samples = min(5, 3) = 3; linspace(0, 3, 4) = 0, 1, 2, 3; ranges (0, 0), (1, 1), (2, 2).
        Sample(FrameSamplingMode.Middle, 3, 5, 0).Should().Equal(0, 1, 2, 2, 2);
    }

    [Fact]
    public void Rand_of_10_frames_into_4_picks_from_the_hand_computed_ranges()
    {
        // Ranges as in the Middle case; random.choice(range(x0, x1)) excludes x1:
        // {0}, {2, 3}, {5}, {7, 8}.
        int[][] allowed = [[0], [2, 3], [5], [7, 8]];
        var seen = allowed.Select(_ => new HashSet<int>()).ToArray();
        for (ulong key = 0; key < 200; key++)
        {
            int[] indices = Sample(FrameSamplingMode.Rand, 10, 4, key);
            indices.Should().HaveCount(4);
            for (int i = 0; i < 4; i++)
            {
                allowed[i].Should().Contain(indices[i]);
                seen[i].Add(indices[i]);
            }
        }
        for (int i = 0; i < 4; i++)
        {
            seen[i].Should().BeEquivalentTo(allowed[i]);
        }
    }

    [Fact]
    public void Rand_of_250_frames_covers_each_segment_but_never_its_last_frame()
    {
        // linspace(0, 250, 9) = 0, 31.25, 62.5, ... → 0, 31, 62, 93, 125, 156, 187, 218, 250.
        int[] bounds = [0, 31, 62, 93, 125, 156, 187, 218, 250];
        var seen = Enumerable.Range(0, 8).Select(_ => new HashSet<int>()).ToArray();
        for (ulong key = 0; key < Keys; key++)
        {
            int[] indices = Sample(FrameSamplingMode.Rand, 250, 8, key);
            for (int i = 0; i < 8; i++)
            {
                indices[i].Should().BeInRange(bounds[i], bounds[i + 1] - 2);
                seen[i].Add(indices[i]);
            }
        }
        for (int i = 0; i < 8; i++)
        {
            seen[i].Should().HaveCount(bounds[i + 1] - 1 - bounds[i], $"segment {i} should be covered");
        }
    }

    [Fact]
    public void Rand_falls_back_to_a_sorted_distinct_subset_when_a_segment_is_one_frame()
    {
        // linspace(0, 6, 5) = 0, 1.5, 3, 4.5, 6 → 0, 1, 3, 4, 6: ranges (0, 0) and (3, 3) are empty,
        // so the reference draws sorted(permutation(6)[:4]).
        var subsets = new HashSet<string>();
        for (ulong key = 0; key < 500; key++)
        {
            int[] indices = Sample(FrameSamplingMode.Rand, 6, 4, key);
            indices.Should().HaveCount(4).And.BeInAscendingOrder().And.OnlyHaveUniqueItems();
            indices.Should().OnlyContain(i => i >= 0 && i < 6);
            subsets.Add(string.Join(",", indices));
        }
        subsets.Should().HaveCount(15); // C(6, 4): every subset is reachable
    }

    [Fact]
    public void Rand_of_a_short_video_pads_with_its_last_frame()
    {
        // acc_samples = 3, every range empty → sorted(permutation(3)[:3]) = 0, 1, 2; padded to 5.
        for (ulong key = 0; key < 20; key++)
        {
            Sample(FrameSamplingMode.Rand, 3, 5, key).Should().Equal(0, 1, 2, 2, 2);
        }
    }

    [Fact]
    public void Tsn_of_10_frames_into_4_uses_segments_of_two_and_never_the_tail()
    {
        // average_duration = 10 // 4 = 2: segment i is {2i, 2i + 1}; frames 8 and 9 are never read.
        var seen = Enumerable.Range(0, 4).Select(_ => new HashSet<int>()).ToArray();
        for (ulong key = 0; key < 200; key++)
        {
            int[] indices = Sample(FrameSamplingMode.Tsn, 10, 4, key);
            indices.Should().HaveCount(4);
            for (int i = 0; i < 4; i++)
            {
                indices[i].Should().BeInRange(2 * i, 2 * i + 1);
                seen[i].Add(indices[i]);
            }
        }
        for (int i = 0; i < 4; i++)
        {
            seen[i].Should().BeEquivalentTo(new[] { 2 * i, 2 * i + 1 });
        }
    }

    [Fact]
    public void Tsn_of_250_frames_into_16_covers_every_position_of_every_segment()
    {
        const int average = 250 / 16; // 15
        var seen = Enumerable.Range(0, 16).Select(_ => new HashSet<int>()).ToArray();
        for (ulong key = 0; key < Keys; key++)
        {
            int[] indices = Sample(FrameSamplingMode.Tsn, 250, 16, key);
            for (int i = 0; i < 16; i++)
            {
                indices[i].Should().BeInRange(i * average, (i + 1) * average - 1);
                seen[i].Add(indices[i]);
            }
        }
        seen.Should().OnlyContain(s => s.Count == average);
    }

    [Theory]
    [InlineData(4, 4, new[] { 0, 1, 2, 3 })] // average 1: the only choice is each frame
    [InlineData(3, 4, new[] { 0, 0, 0, 0 })] // average 0 and 3 ≤ 4: np.zeros, frame 0 repeated
    public void Tsn_degenerate_lengths_match_the_reference(int frameCount, int frames, int[] expected)
    {
        for (ulong key = 0; key < 20; key++)
        {
            Sample(FrameSamplingMode.Tsn, frameCount, frames, key).Should().Equal(expected);
        }
    }

    [Theory]
    [InlineData("Tsn")]
    [InlineData("Rand")]
    public void Same_key_gives_the_same_indices_and_other_keys_differ(string modeName)
    {
        // The mode travels by name: the enum is internal and xunit's theory methods are public.
        var mode = Enum.Parse<FrameSamplingMode>(modeName);
        Sample(mode, 250, 8, 42).Should().Equal(Sample(mode, 250, 8, 42));

        var draws = Enumerable.Range(0, 50).Select(k => string.Join(",", Sample(mode, 250, 8, (ulong)k))).ToList();
        draws.Should().OnlyHaveUniqueItems();
    }

    [Theory]
    [InlineData("Tsn")]
    [InlineData("Rand")]
    [InlineData("Middle")]
    public void Every_mode_returns_the_requested_count_inside_the_video_in_order(string modeName)
    {
        var mode = Enum.Parse<FrameSamplingMode>(modeName);
        for (int frameCount = 1; frameCount <= 40; frameCount++)
        {
            foreach (int frames in new[] { 1, 4, 8, 16 })
            {
                int[] indices = Sample(mode, frameCount, frames, (ulong)(frameCount * 31 + frames));
                indices.Should().HaveCount(frames).And.BeInAscendingOrder();
                indices.Should().OnlyContain(i => i >= 0 && i < frameCount);
            }
        }
    }

    [Fact]
    public void Rejects_an_empty_video_or_clip()
    {
        var rng = new SplitMix64(0);
        var act = () => FrameSampling.Indices(FrameSamplingMode.Rand, 0, 8, ref rng);
        act.Should().Throw<ArgumentOutOfRangeException>();
        act = () => FrameSampling.Indices(FrameSamplingMode.Rand, 8, 0, ref rng);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(10, 4, 0, 2, new[] { 0, 2, 4, 7 })]     // segment 9/4 = 2.25, offset int(0.75) = 0; starts round(2.25 i) = 0, 2, 4 (4.5 to even), 7
    [InlineData(10, 4, 1, 2, new[] { 1, 3, 5, 8 })]     // offset int(1.5) = 1
    [InlineData(300, 8, 3, 4, new[] { 29, 66, 104, 141, 179, 216, 253, 291 })] // segment 37.375, offset int(7.475 · 4) = 29; 149.5 rounds to 150
    [InlineData(3, 4, 1, 2, new[] { 0, 0, 1, 2 })]      // shorter than the clip: segment 0.5, offset int(1/3) = 0; starts 0, 0 (0.5 to even), 1, 2 (1.5 to even)
    public void Test_views_follow_the_reference_fine_tuning_sampler(int frameCount, int frames, int clip, int clips, int[] expected)
    {
        FrameSampling.TestView(frameCount, frames, clip, clips).Should().Equal(expected);
    }
}
