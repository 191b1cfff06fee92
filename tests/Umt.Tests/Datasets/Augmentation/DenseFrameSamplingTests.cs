using Umt.Plugins.Datasets.Augmentation;
using Umt.Plugins.Datasets.Randomness;

namespace Umt.Tests.Datasets.Augmentation;

/// <summary>
/// VideoMAE's pre-training sampler (MCG-NJU/VideoMAE kinetics.py, <c>VideoMAE._sample_train_indices</c>
/// and <c>_video_TSN_decord_batch_loader</c> with <c>num_segments</c> 1, <c>new_length</c> = frames,
/// <c>new_step</c> = step), on cases worked by hand from those two functions.
/// </summary>
public sealed class DenseFrameSamplingTests
{
    private static int[] Sample(int frameCount, int frames, int step, ulong key)
    {
        var rng = new SplitMix64(key);
        return FrameSampling.Indices(FrameSamplingMode.Dense, frameCount, frames, ref rng, step);
    }

    [Theory]
    [InlineData(100, 16, 4)] // window 64: average_duration = 100 − 64 + 1 = 37 starts, 0..36
    [InlineData(31, 8, 3)]   // window 24: 8 starts, 0..7
    [InlineData(17, 4, 2)]   // window 8: 10 starts, 0..9
    public void A_video_holding_the_window_reads_consecutive_steps_from_every_start_uniformly(int frameCount, int frames, int step)
    {
        int starts = frameCount - frames * step + 1;
        var counts = new int[starts];
        const int Keys = 4000;
        for (ulong key = 0; key < Keys; key++)
        {
            int[] indices = Sample(frameCount, frames, step, key);
            int start = indices[0];
            start.Should().BeInRange(0, starts - 1);
            indices.Should().Equal(Enumerable.Range(0, frames).Select(i => start + step * i), "the loader steps new_step frames per pick");
            counts[start]++;
        }
        double expected = (double)Keys / starts;
        counts.Should().OnlyContain(c => Math.Abs(c - expected) < 5 * Math.Sqrt(expected), "randint(n − window + 1) is uniform");
    }

    [Theory]
    // n equals the window: randint(1) = 0.
    [InlineData(64, 16, 4, new[] { 0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60 })]
    // One frame short: np.zeros start, and each step still lands on a frame below n − 1 = 62.
    [InlineData(63, 16, 4, new[] { 0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60 })]
    // Window 32 of 26 frames: 1-based offsets 1, 5, …, 25, then 25 + 4 < 26 fails, so frame 24 repeats.
    [InlineData(26, 8, 4, new[] { 0, 4, 8, 12, 16, 20, 24, 24 })]
    // Frame 15 exists but a step is taken only while offset + 4 < 16: 13 + 4 is not.
    [InlineData(16, 16, 4, new[] { 0, 4, 8, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12 })]
    public void A_video_without_room_to_move_the_window_starts_at_frame_0_and_repeats_the_last_frame_reached(int frameCount, int frames, int step, int[] expected)
    {
        for (ulong key = 0; key < 20; key++)
        {
            Sample(frameCount, frames, step, key).Should().Equal(expected);
        }
    }

    [Fact]
    public void A_step_one_window_drawn_at_the_end_repeats_its_last_frame_as_the_reference_loader_does()
    {
        // n 10, 4 frames, step 1: starts 0..6. From start 6 (1-based 7) the loader reads 6, 7, 8 and
        // would step onto 9 only if 9 + 1 < 10: it reads 8 again.
        var seen = new HashSet<string>();
        for (ulong key = 0; key < 500; key++)
        {
            seen.Add(string.Join(",", Sample(10, 4, 1, key)));
        }
        seen.Should().BeEquivalentTo(["0,1,2,3", "1,2,3,4", "2,3,4,5", "3,4,5,6", "4,5,6,7", "5,6,7,8", "6,7,8,8"]);
    }

    [Fact]
    public void A_step_below_one_is_refused()
    {
        var rng = new SplitMix64(0);
        var act = () => FrameSampling.Indices(FrameSamplingMode.Dense, 100, 8, ref rng, step: 0);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
