using System.Diagnostics;
using Umt.Models.Detection;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Models;

/// <summary>
/// RoIAlign against torchvision's definition computed here sample by sample in float64 (the
/// kernel's loop: bins, a grid of samples per bin, bilinear interpolation of four neighbours with
/// its clamping rules), and against values known by hand.
/// </summary>
public sealed class RoiAlignTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData(true, -1, 1.0)]
    [InlineData(true, 2, 0.25)]
    [InlineData(false, -1, 0.5)]
    [InlineData(false, 3, 1.0)]
    public void Matches_a_float64_sample_by_sample_computation(bool aligned, int samplingRatio, double scale)
    {
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var generator = new Random(7);
        const int N = 2, C = 3, H = 7, W = 9, Oh = 3, Ow = 2;
        double[] features = Enumerable.Range(0, N * C * H * W).Select(_ => generator.NextDouble() * 2 - 1).ToArray();
        // In image coordinates (features = image × scale): inside, across the border, outside, thinner than a cell, reversed.
        double[][] boxes =
        [
            [0, 1.0 / scale, 0.5 / scale, 6.0 / scale, 5.5 / scale],
            [1, -2.0 / scale, -1.5 / scale, 3.2 / scale, 2.0 / scale],
            [1, 7.5 / scale, 5.0 / scale, 11.0 / scale, 9.0 / scale],
            [0, 4.1 / scale, 3.0 / scale, 4.4 / scale, 3.2 / scale],
            [1, 5.0 / scale, 4.0 / scale, 3.0 / scale, 2.0 / scale],
        ];
        var input = tensor(features, [N, C, H, W], ScalarType.Float64);
        var rois = tensor(boxes.SelectMany(b => b).ToArray(), [boxes.Length, 5], ScalarType.Float64);

        var pooled = RoiAlign.Apply(input, rois, Oh, Ow, scale, samplingRatio, aligned);
        pooled.shape.Should().Equal(boxes.Length, C, Oh, Ow);
        double[] got = pooled.data<double>().ToArray();
        double[] pooled32 = RoiAlign.Apply(input.to(ScalarType.Float32), rois.to(ScalarType.Float32), Oh, Ow, scale, samplingRatio, aligned).to(ScalarType.Float64).data<double>().ToArray();
        double largest = 0;
        for (int k = 0; k < boxes.Length; k++)
        {
            for (int c = 0; c < C; c++)
            {
                for (int y = 0; y < Oh; y++)
                {
                    for (int x = 0; x < Ow; x++)
                    {
                        double expected = Bin(features, (int)boxes[k][0] * C + c, H, W, boxes[k], scale, y, x, Oh, Ow, samplingRatio, aligned);
                        int at = ((k * C + c) * Oh + y) * Ow + x;
                        got[at].Should().BeApproximately(expected, 1e-12, $"box {k} channel {c} bin ({y}, {x})");
                        pooled32[at].Should().BeApproximately(expected, 1e-5);
                        largest = Math.Max(largest, Math.Abs(expected));
                    }
                }
            }
        }
        largest.Should().BeGreaterThan(0.05, "the boxes sample real values, not only zeros");
        log.WriteLine($"aligned={aligned} sampling={samplingRatio} scale={scale}: {clock.Elapsed.TotalSeconds:F2} s");
    }

    [Fact]
    public void A_linear_ramp_pools_to_the_bin_centres_and_gradients_reach_the_features()
    {
        using var scope = NewDisposeScope();
        // f(y, x) = x: bilinear sampling is exact on it, so an aligned bin is its centre's x less ½ (pixel centres at half-integers).
        var ramp = arange(8, ScalarType.Float64).expand(1, 1, 6, 8).contiguous().requires_grad_(); // [1, 1, 6, 8]
        var box = tensor(new double[] { 0, 2, 1, 6, 5 }, [1, 5], ScalarType.Float64);              // [1, 5]
        var pooled = RoiAlign.Apply(ramp, box, 2, 4, aligned: true);                                // [1, 1, 2, 4]
        pooled.data<double>().ToArray().Should().Equal([2.0, 3.0, 4.0, 5.0, 2.0, 3.0, 4.0, 5.0], (a, b) => Math.Abs(a - b) < 1e-12);
        pooled.sum().backward();
        // Every bin's weights sum to 1 and the box is inside: the gradient's total is the bin count.
        ramp.grad!.sum().item<double>().Should().BeApproximately(8.0, 1e-12);
    }

    /// <summary>torchvision's roi_align_forward for one output bin, written out.</summary>
    private static double Bin(double[] f, int plane, int h, int w, double[] box, double scale, int py, int px, int oh, int ow, int sampling, bool aligned)
    {
        double offset = aligned ? 0.5 : 0;
        double sx = box[1] * scale - offset, sy = box[2] * scale - offset;
        double rw = box[3] * scale - offset - sx, rh = box[4] * scale - offset - sy;
        if (!aligned)
        {
            rw = Math.Max(rw, 1);
            rh = Math.Max(rh, 1);
        }
        double bh = rh / oh, bw = rw / ow;
        int gh = sampling > 0 ? sampling : (int)Math.Ceiling(rh / oh);
        int gw = sampling > 0 ? sampling : (int)Math.Ceiling(rw / ow);
        double sum = 0;
        for (int iy = 0; iy < gh; iy++)
        {
            for (int ix = 0; ix < gw; ix++)
            {
                double y = sy + py * bh + (iy + 0.5) * bh / gh;
                double x = sx + px * bw + (ix + 0.5) * bw / gw;
                sum += Bilinear(f, plane, h, w, y, x);
            }
        }
        return sum / Math.Max(gh * gw, 1);
    }

    private static double Bilinear(double[] f, int plane, int h, int w, double y, double x)
    {
        if (y < -1 || y > h || x < -1 || x > w)
        {
            return 0;
        }
        y = Math.Max(y, 0);
        x = Math.Max(x, 0);
        int y0 = (int)y, x0 = (int)x;
        int y1 = y0 + 1, x1 = x0 + 1;
        if (y0 >= h - 1)
        {
            y0 = y1 = h - 1;
            y = y0;
        }
        if (x0 >= w - 1)
        {
            x0 = x1 = w - 1;
            x = x0;
        }
        double ly = y - y0, lx = x - x0;
        double At(int yy, int xx) => f[(plane * h + yy) * w + xx];
        return (1 - ly) * (1 - lx) * At(y0, x0) + (1 - ly) * lx * At(y0, x1) + ly * (1 - lx) * At(y1, x0) + ly * lx * At(y1, x1);
    }
}
