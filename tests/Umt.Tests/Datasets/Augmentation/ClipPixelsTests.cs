using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Augmentation;
using Umt.Plugins.Datasets.Randomness;

namespace Umt.Tests.Datasets.Augmentation;

/// <summary>RGB24 [T, H, W, 3] to normalised [3, T, H, W], against a direct float64 computation.</summary>
public sealed class ClipPixelsTests
{
    private const int Frames = 3, Height = 4, Width = 5;

    private static byte[] RandomClip(ulong key)
    {
        var rng = new SplitMix64(key);
        var rgb = new byte[Frames * Height * Width * 3];
        for (int i = 0; i < rgb.Length; i++)
        {
            rgb[i] = (byte)rng.NextInt(256);
        }
        return rgb;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Matches_a_direct_float64_computation(bool flip)
    {
        byte[] rgb = RandomClip(flip ? 11UL : 12UL);

        float[] pixels = ClipPixels.FromRgb24(rgb, Frames, Height, Width, flip);

        pixels.Should().HaveCount(3 * Frames * Height * Width);
        for (int c = 0; c < 3; c++)
        {
            for (int t = 0; t < Frames; t++)
            {
                for (int y = 0; y < Height; y++)
                {
                    for (int x = 0; x < Width; x++)
                    {
                        int sourceX = flip ? Width - 1 - x : x;
                        byte value = rgb[((t * Height + y) * Width + sourceX) * 3 + c];
                        double expected = (value / 255.0 - ImageNetNormalization.Mean[c]) / ImageNetNormalization.Std[c];
                        float actual = pixels[((c * Frames + t) * Height + y) * Width + x];
                        ((double)actual).Should().BeApproximately(expected, 1e-6, $"c={c} t={t} y={y} x={x}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Flip_mirrors_every_row()
    {
        byte[] rgb = RandomClip(5);
        float[] plain = ClipPixels.FromRgb24(rgb, Frames, Height, Width, flip: false);
        float[] flipped = ClipPixels.FromRgb24(rgb, Frames, Height, Width, flip: true);

        for (int row = 0; row < 3 * Frames * Height; row++)
        {
            Enumerable.Reverse(plain.AsSpan(row * Width, Width).ToArray())
                .Should().Equal(flipped.AsSpan(row * Width, Width).ToArray());
        }
        plain.Should().NotEqual(flipped);
    }

    [Fact]
    public void Extreme_bytes_map_to_the_normalised_range_ends()
    {
        byte[] rgb = [0, 0, 0, 255, 255, 255];
        float[] pixels = ClipPixels.FromRgb24(rgb, 1, 1, 2, flip: false);

        for (int c = 0; c < 3; c++)
        {
            pixels[2 * c].Should().BeApproximately(-ImageNetNormalization.Mean[c] / ImageNetNormalization.Std[c], 1e-6f);
            pixels[2 * c + 1].Should().BeApproximately((1 - ImageNetNormalization.Mean[c]) / ImageNetNormalization.Std[c], 1e-6f);
        }
    }

    [Fact]
    public void Rejects_a_buffer_of_the_wrong_length()
    {
        var act = () => ClipPixels.FromRgb24(new byte[10], 1, 2, 2, flip: false);
        act.Should().Throw<ArgumentException>();
    }
}
