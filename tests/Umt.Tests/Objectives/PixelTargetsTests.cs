using Umt.Abstractions.Datasets;
using Umt.Plugins.Objectives.MaePixels;
using static TorchSharp.torch;

namespace Umt.Tests.Objectives;

/// <summary>
/// <see cref="PixelTargets"/> against VideoMAE's label code re-derived as plain float64 loops
/// (engine_for_pretraining.py: unnormalise, cut (tubelet, p, p) cubes in (t, h, w) order,
/// normalise each cube and channel with the unbiased sd + 1e-6, flatten with the channel innermost).
/// </summary>
public sealed class PixelTargetsTests
{
    // B = 2, 4 frames of 4 × 6 pixels, tubelet 2, p = 2: a 2 × 2 × 3 grid (N = 12) whose sides all
    // differ, so swapping t, h or w in the token order changes the result.
    private const int Batch = 2, Frames = 4, Height = 4, Width = 6, Tubelet = 2, Patch = 2;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Matches_an_independent_float64_computation(bool normalize)
    {
        using var generator = new Generator(1234);
        using var video = randn([Batch, 3, Frames, Height, Width], generator: generator); // [B, 3, T, H, W]
        var pixels = video.data<float>().ToArray();

        using var targets = PixelTargets.Compute(video, Tubelet, Patch, normalize); // [B, N, 24]

        targets.shape.Should().Equal(Batch, 12, Tubelet * Patch * Patch * 3);
        var actual = targets.data<float>().ToArray();
        var expected = Reference(pixels, normalize);
        for (int i = 0; i < expected.Length; i++)
        {
            // fp32 arithmetic on values of order 1 (normalised) or [0, 1] (raw).
            actual[i].Should().BeApproximately((float)expected[i], 1e-4f, $"element {i}");
        }
    }

    [Fact]
    public void Normalised_cubes_have_zero_mean_and_unit_unbiased_sd_per_channel()
    {
        using var generator = new Generator(5);
        using var video = randn([1, 3, Frames, Height, Width], generator: generator); // [1, 3, T, H, W]

        using var targets = PixelTargets.Compute(video, Tubelet, Patch, normalize: true).view(1, 12, 8, 3); // [1, N, cube, 3]

        targets.mean([2]).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (targets.std(2, unbiased: true) - 1).abs().max().item<float>().Should().BeLessThan(1e-4f);
    }

    [Fact]
    public void Raw_targets_are_the_unnormalised_pixels_in_zero_to_one()
    {
        // A clip that is ImageNet-mean grey everywhere is 0 after normalisation; unnormalising
        // must give back the mean itself in every channel (c innermost: 0.485, 0.456, 0.406, ...).
        using var video = zeros([1, 3, Frames, Height, Width]); // [1, 3, T, H, W]

        using var targets = PixelTargets.Compute(video, Tubelet, Patch, normalize: false); // [1, N, 24]

        var values = targets.data<float>().ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            values[i].Should().BeApproximately(ImageNetNormalization.Mean[i % 3], 1e-7f);
        }
    }

    [Fact]
    public void Flat_cubes_normalise_to_zero_not_nan()
    {
        using var video = zeros([1, 3, Frames, Height, Width]); // [1, 3, T, H, W], sd 0 in every cube

        using var targets = PixelTargets.Compute(video, Tubelet, Patch, normalize: true); // [1, N, 24]

        targets.abs().max().item<float>().Should().Be(0f);
    }

    [Fact]
    public void Targets_carry_no_gradient()
    {
        using var video = randn([1, 3, Frames, Height, Width]).requires_grad_(); // [1, 3, T, H, W]

        using var targets = PixelTargets.Compute(video, Tubelet, Patch, normalize: true); // [1, N, 24]

        targets.requires_grad.Should().BeFalse();
    }

    [Fact]
    public void Refuses_clips_that_do_not_split_into_cubes()
    {
        using var video = zeros([1, 3, 3, Height, Width]); // 3 frames, tubelet 2

        var act = () => PixelTargets.Compute(video, Tubelet, Patch, normalize: true);

        act.Should().Throw<ArgumentException>().WithMessage("*3×4×6*2×2×2*");
    }

    /// <summary>The reference's labels for <paramref name="video"/> ([B, 3, T, H, W], row-major), as loops in float64.</summary>
    private static double[] Reference(float[] video, bool normalize)
    {
        const int slots = Frames / Tubelet, rows = Height / Patch, columns = Width / Patch, cube = Tubelet * Patch * Patch;
        var labels = new double[Batch * slots * rows * columns * cube * 3];
        for (int b = 0; b < Batch; b++)
        for (int t = 0; t < slots; t++)
        for (int h = 0; h < rows; h++)
        for (int w = 0; w < columns; w++)
        {
            int token = (t * rows + h) * columns + w; // (t, h, w), t-major
            for (int c = 0; c < 3; c++)
            {
                var values = new double[cube];
                for (int dt = 0; dt < Tubelet; dt++)
                for (int dy = 0; dy < Patch; dy++)
                for (int dx = 0; dx < Patch; dx++)
                {
                    int frame = t * Tubelet + dt, y = h * Patch + dy, x = w * Patch + dx;
                    double normalised = video[(((b * 3 + c) * Frames + frame) * Height + y) * Width + x];
                    values[(dt * Patch + dy) * Patch + dx] = normalised * ImageNetNormalization.Std[c] + ImageNetNormalization.Mean[c];
                }
                if (normalize)
                {
                    double mean = values.Average();
                    double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (cube - 1));
                    for (int i = 0; i < cube; i++)
                    {
                        values[i] = (values[i] - mean) / (sd + 1e-6);
                    }
                }
                for (int i = 0; i < cube; i++)
                {
                    labels[((b * slots * rows * columns + token) * cube + i) * 3 + c] = values[i];
                }
            }
        }
        return labels;
    }
}
