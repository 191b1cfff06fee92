using Umt.Plugins.Datasets.Augmentation;
using Umt.Plugins.Datasets.Randomness;

namespace Umt.Tests.Datasets.Augmentation;

/// <summary>
/// Crop boxes of GroupMultiScaleCrop (transforms.py), torchvision's RandomResizedCrop, and the
/// evaluation crops, checked on hand-computed geometry and over many keys.
/// </summary>
public sealed class CropGeometryTests
{
    private const int Keys = 3000;

    // The 13 fill_fix_offset positions as multiples of (w_step, h_step).
    private static readonly (int, int)[] FixedMultiples =
    [
        (0, 0), (4, 0), (0, 4), (4, 4), (2, 2), (0, 2), (4, 2), (2, 4), (2, 0), (1, 1), (3, 1), (1, 3), (3, 3),
    ];

    private static CropBox MultiScale(int width, int height, int output, ulong key)
    {
        var rng = new SplitMix64(key);
        return CropGeometry.MultiScale(width, height, output, ref rng);
    }

    private static CropBox RandomResized(int width, int height, ulong key, double ratioMin = 3.0 / 4, double ratioMax = 4.0 / 3)
    {
        var rng = new SplitMix64(key);
        return CropGeometry.RandomResized(width, height, ref rng, ratioMin: ratioMin, ratioMax: ratioMax);
    }

    [Fact]
    public void MultiScale_on_320x240_uses_the_hand_computed_sizes_and_the_13_positions()
    {
        // base = 240; int(240·{1, .875, .75, .66}) = 240, 210, 180, 158 (158.4); none within 3 of
        // 224, so no snapping. Pairs (w_j, h_i) with |i − j| ≤ 1: ten of them.
        var allowedPairs = new HashSet<(int, int)>
        {
            (240, 240), (210, 240),
            (240, 210), (210, 210), (180, 210),
            (210, 180), (180, 180), (158, 180),
            (180, 158), (158, 158),
        };
        var seenPairs = new HashSet<(int, int)>();
        var seenMultiples = new HashSet<(int, int)>();
        for (ulong key = 0; key < Keys; key++)
        {
            CropBox box = MultiScale(320, 240, 224, key);
            allowedPairs.Should().Contain((box.Width, box.Height));
            seenPairs.Add((box.Width, box.Height));
            box.X.Should().BeGreaterThanOrEqualTo(0);
            box.Y.Should().BeGreaterThanOrEqualTo(0);
            (box.X + box.Width).Should().BeLessThanOrEqualTo(320);
            (box.Y + box.Height).Should().BeLessThanOrEqualTo(240);

            int columnStep = (320 - box.Width) / 4;  // ≥ 20: always positive here
            int rowStep = (240 - box.Height) / 4;    // 0 when the height is 240
            (box.X % columnStep).Should().Be(0);
            if (rowStep > 0)
            {
                (box.Y % rowStep).Should().Be(0);
                var multiple = (box.X / columnStep, box.Y / rowStep);
                FixedMultiples.Should().Contain(multiple);
                seenMultiples.Add(multiple);
            }
            else
            {
                box.Y.Should().Be(0);
            }
        }
        seenPairs.Should().BeEquivalentTo(allowedPairs);
        seenMultiples.Should().BeEquivalentTo(FixedMultiples);
    }

    [Fact]
    public void MultiScale_snaps_a_size_within_three_pixels_to_the_output_size()
    {
        // base = 226: int(226·{1, .875, .75, .66}) = 226, 197 (197.75), 169 (169.5), 149 (149.16);
        // |226 − 224| = 2 < 3, so 226 becomes 224.
        var sizes = new HashSet<int>();
        for (ulong key = 0; key < 500; key++)
        {
            CropBox box = MultiScale(300, 226, 224, key);
            sizes.Add(box.Width);
            sizes.Add(box.Height);
        }
        sizes.Should().BeEquivalentTo(new[] { 224, 197, 169, 149 });
    }

    [Fact]
    public void MultiScale_overhangs_like_the_reference_when_the_short_side_is_just_below_the_output()
    {
        // base = 223 snaps to 224 > 223: h_step = (223 − 224) // 4 = −1 in Python (floor), so the
        // row offset is one of 0, −1, −2, −3, −4 (PIL pads the overhang with black).
        var rows = new HashSet<int>();
        for (ulong key = 0; key < Keys; key++)
        {
            CropBox box = MultiScale(300, 223, 224, key);
            if (box.Height == 224)
            {
                rows.Add(box.Y);
            }
        }
        rows.Should().BeEquivalentTo(new[] { 0, -1, -2, -3, -4 });
    }

    [Fact]
    public void MultiScale_is_a_function_of_the_key()
    {
        MultiScale(320, 240, 224, 7).Should().Be(MultiScale(320, 240, 224, 7));
        Enumerable.Range(0, 40).Select(k => MultiScale(320, 240, 224, (ulong)k)).Distinct().Count()
            .Should().BeGreaterThan(20);
    }

    [Fact]
    public void RandomResized_keeps_area_and_aspect_in_range_inside_the_frame()
    {
        const int width = 320, height = 240;
        double smallest = 1, largest = 0;
        for (ulong key = 0; key < Keys; key++)
        {
            CropBox box = RandomResized(width, height, key);
            box.X.Should().BeGreaterThanOrEqualTo(0);
            box.Y.Should().BeGreaterThanOrEqualTo(0);
            (box.X + box.Width).Should().BeLessThanOrEqualTo(width);
            (box.Y + box.Height).Should().BeLessThanOrEqualTo(height);

            // Sides are rounded to whole pixels, which moves area and aspect by well under 1 %.
            double fraction = (double)box.Width * box.Height / (width * height);
            fraction.Should().BeInRange(0.5 - 0.01, 1.0);
            ((double)box.Width / box.Height).Should().BeInRange(3.0 / 4 - 0.01, 4.0 / 3 + 0.01);
            smallest = Math.Min(smallest, fraction);
            largest = Math.Max(largest, fraction);
        }
        smallest.Should().BeLessThan(0.52);
        largest.Should().BeGreaterThan(0.9);
    }

    [Fact]
    public void RandomResized_follows_torchvision_get_params_draw_for_draw()
    {
        // torchvision's loop written out literally on the same stream: the implementation must
        // consume the same draws in the same order and round the same way.
        const int width = 320, height = 240;
        for (ulong key = 0; key < 500; key++)
        {
            var rng = new SplitMix64(key);
            CropBox? expected = null;
            for (int attempt = 0; attempt < 10 && expected is null; attempt++)
            {
                double targetArea = width * height * rng.Uniform(0.5, 1.0);
                double aspect = Math.Exp(rng.Uniform(Math.Log(3.0 / 4), Math.Log(4.0 / 3)));
                int w = (int)Math.Round(Math.Sqrt(targetArea * aspect)); // .NET's default is half-to-even
                int h = (int)Math.Round(Math.Sqrt(targetArea / aspect));
                if (0 < w && w <= width && 0 < h && h <= height)
                {
                    int i = rng.NextInt(height - h + 1);
                    int j = rng.NextInt(width - w + 1);
                    expected = new CropBox(j, i, w, h);
                }
            }

            RandomResized(width, height, key).Should().Be(expected ?? CropGeometry.Whole(width, height)); // 4:3 lies inside the ratio range
        }
    }

    [Fact]
    public void RandomResized_reaches_every_corner_region()
    {
        bool left = false, right = false, top = false, bottom = false;
        for (ulong key = 0; key < Keys; key++)
        {
            CropBox box = RandomResized(320, 240, key);
            left |= box.X == 0;
            top |= box.Y == 0;
            right |= box.X + box.Width == 320;
            bottom |= box.Y + box.Height == 240;
        }
        (left && right && top && bottom).Should().BeTrue();
    }

    [Fact]
    public void RandomResized_falls_back_to_a_central_crop_on_an_extreme_aspect()
    {
        // 1000×10: any target area ≥ 5000 needs h ≥ sqrt(5000 / (4/3)) ≈ 61 > 10, so all ten tries
        // fail. in_ratio 100 > 4/3: h = 10, w = round(10·4/3) = 13, j = (1000 − 13) // 2 = 493.
        RandomResized(1000, 10, 1).Should().Be(new CropBox(493, 0, 13, 10));
        // Portrait 10×1000: w = 10, h = round(10 / (3/4)) = 13, i = 493.
        RandomResized(10, 1000, 2).Should().Be(new CropBox(0, 493, 10, 13));
    }

    [Fact]
    public void RandomResized_rounds_half_to_even_like_python()
    {
        // 1000×3 with ratio ≤ 1.5 always falls back: w = round(3·1.5) = round(4.5) = 4 in Python
        // (away from zero would give 5); j = (1000 − 4) // 2 = 498.
        RandomResized(1000, 3, 3, ratioMax: 1.5).Should().Be(new CropBox(498, 0, 4, 3));
        // Portrait 5×1000 with ratio in [2, 4]: h = round(5 / 2) = round(2.5) = 2; i = 998 // 2 = 499.
        RandomResized(5, 1000, 4, ratioMin: 2, ratioMax: 4).Should().Be(new CropBox(0, 499, 5, 2));
    }

    [Theory]
    [InlineData(320, 240, 40, 0, 240)]
    [InlineData(240, 320, 0, 40, 240)]
    [InlineData(321, 240, 40, 0, 240)]
    [InlineData(64, 64, 0, 0, 64)]
    public void Center_is_the_centred_square_of_the_short_side(int width, int height, int x, int y, int side)
    {
        CropGeometry.Center(width, height).Should().Be(new CropBox(x, y, side, side));
    }

    [Fact]
    public void Whole_is_the_full_frame()
    {
        CropGeometry.Whole(320, 240).Should().Be(new CropBox(0, 0, 320, 240));
    }

    [Theory]
    [InlineData(320, 240, 0, 3, 0, 0)]
    [InlineData(320, 240, 1, 3, 40, 0)]   // (320 − 240) / 2 = 40 per step along the long side
    [InlineData(320, 240, 2, 3, 80, 0)]
    [InlineData(240, 320, 2, 3, 0, 80)]   // portrait: the square slides down
    [InlineData(321, 240, 1, 2, 81, 0)]   // int(1 · 81 / 1)
    [InlineData(320, 240, 0, 1, 40, 0)]   // one crop: the centred square
    public void Test_views_slide_the_short_side_square_along_the_long_side(int width, int height, int crop, int crops, int x, int y)
    {
        var box = CropGeometry.TestView(width, height, crop, crops);
        box.Should().Be(new CropBox(x, y, Math.Min(width, height), Math.Min(width, height)));
    }
}
