using Umt.Plugins.Datasets.Randomness;

namespace Umt.Plugins.Datasets.Augmentation;

/// <summary>
/// Where in a frame the reference crops, as a <see cref="CropBox"/> in source pixels; the caller
/// resamples the box to the model's S×S input. Geometry only, so the same box applies to every
/// frame of a clip (the reference crops a clip's frames identically) and is cheap to draw before
/// decoding. Sizes and offsets follow the reference's integer arithmetic exactly; only the random
/// stream differs (the sample's SplitMix64 instead of Python's or torch's global generator).
/// </summary>
internal static class CropGeometry
{
    // GroupMultiScaleCrop's defaults, as DataAugmentationForVideoMAE builds it
    // (single_modality/datasets/build.py): scales [1, .875, .75, .66], max_distort 1, fix_crop
    // and more_fix_crop on.
    private static readonly double[] MultiScaleFactors = [1.0, 0.875, 0.75, 0.66];
    private const int MaxDistort = 1;

    // A crop size this close to the output size is replaced by it (`abs(x - input_size) < 3`).
    private const int SnapDistance = 3;

    // fill_fix_offset's thirteen positions with more_fix_crop, in the reference's list order, as
    // multiples of (w_step, h_step): corners, centre, edge midpoints, then quarter points.
    private static readonly (int Column, int Row)[] FixedOffsets =
    [
        (0, 0), (4, 0), (0, 4), (4, 4), (2, 2),
        (0, 2), (4, 2), (2, 4), (2, 0),
        (1, 1), (3, 1), (1, 3), (3, 3),
    ];

    /// <summary>
    /// Stage 1's training crop (single_modality/datasets/transforms.py,
    /// <c>GroupMultiScaleCrop._sample_crop_size</c> and <c>fill_fix_offset</c>): width and height
    /// each a fraction {1, .875, .75, .66} of the short side (at most one step apart, so the aspect
    /// stays near square), placed at one of 13 fixed positions. The reference then resizes the
    /// crop to outputSize×outputSize with bilinear interpolation.
    /// </summary>
    /// <remarks>
    /// Draws: one pair, then one position (the reference's two random.choice calls, in order).
    /// Snapping can make a size exceed the short side when that side is one or two pixels below
    /// <paramref name="outputSize"/>; the step is then negative and floor-divided as in Python, so
    /// the box overhangs the frame by up to 4 px on that axis (X or Y as low as -4). The reference's
    /// PIL crop fills the overhang with black; the caller must treat pixels outside the frame the
    /// same way or clamp the box. With the short side at least outputSize + 3 or at most
    /// outputSize − 3, the box always lies inside the frame.
    /// </remarks>
    /// <param name="width">Frame width in pixels.</param>
    /// <param name="height">Frame height in pixels.</param>
    /// <param name="outputSize">The model's input side S.</param>
    /// <param name="rng">The sample's stream.</param>
    public static CropBox MultiScale(int width, int height, int outputSize, ref SplitMix64 rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);

        int baseSize = Math.Min(width, height);
        Span<int> sizes = stackalloc int[MultiScaleFactors.Length];
        for (int k = 0; k < sizes.Length; k++)
        {
            int size = (int)(baseSize * MultiScaleFactors[k]); // Python int(): truncation
            sizes[k] = Math.Abs(size - outputSize) < SnapDistance ? outputSize : size;
        }
        // The input size is square, so crop_h and crop_w are the same list. Pairs (w_j, h_i) in the
        // reference's order: i (height) outer, j (width) inner.
        Span<(int Width, int Height)> pairs = stackalloc (int, int)[sizes.Length * sizes.Length];
        int pairCount = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            for (int j = 0; j < sizes.Length; j++)
            {
                if (Math.Abs(i - j) <= MaxDistort)
                {
                    pairs[pairCount++] = (sizes[j], sizes[i]);
                }
            }
        }
        var (cropWidth, cropHeight) = pairs[rng.NextInt(pairCount)];

        int columnStep = FloorDivide(width - cropWidth, 4);
        int rowStep = FloorDivide(height - cropHeight, 4);
        var (column, row) = FixedOffsets[rng.NextInt(FixedOffsets.Length)];
        return new CropBox(column * columnStep, row * rowStep, cropWidth, cropHeight);
    }

    /// <summary>
    /// torchvision's <c>RandomResizedCrop.get_params</c>, the stage-2 training crop (the
    /// reference uses scale (0.5, 1.0), the default ratio, and resizes to S×S bicubic): up to ten
    /// attempts of an area fraction uniform in [scaleMin, scaleMax) and a log-uniform aspect
    /// (width/height) in [ratioMin, ratioMax), kept when it fits; otherwise the central crop of
    /// the whole frame with its aspect clamped to the ratio range.
    /// </summary>
    /// <remarks>
    /// Draws per attempt: area fraction, then log-aspect; on success, the row offset then the
    /// column offset (torchvision's order). Sides round half to even, as Python's round() does
    /// (<see cref="Math.Round(double)"/>'s default). torchvision draws the two uniforms in float32;
    /// these are float64, which moves no distribution. Math.Log/Exp may differ in the last bit
    /// between C libraries, which changes a side only when a square root lands within an ulp of
    /// a half-integer.
    /// </remarks>
    public static CropBox RandomResized(int width, int height, ref SplitMix64 rng,
        double scaleMin = 0.5, double scaleMax = 1.0, double ratioMin = 3.0 / 4, double ratioMax = 4.0 / 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scaleMin);
        ArgumentOutOfRangeException.ThrowIfLessThan(scaleMax, scaleMin);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratioMin);
        ArgumentOutOfRangeException.ThrowIfLessThan(ratioMax, ratioMin);

        double area = (double)width * height;
        double logRatioMin = Math.Log(ratioMin);
        double logRatioMax = Math.Log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double targetArea = area * rng.Uniform(scaleMin, scaleMax);
            double aspect = Math.Exp(rng.Uniform(logRatioMin, logRatioMax));
            int w = (int)Math.Round(Math.Sqrt(targetArea * aspect), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(targetArea / aspect), MidpointRounding.ToEven);
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                int top = rng.NextInt(height - h + 1);
                int left = rng.NextInt(width - w + 1);
                return new CropBox(left, top, w, h);
            }
        }

        // Fallback: the frame is too elongated (or the scale too large) for ten tries to fit.
        double frameRatio = (double)width / height;
        int fallbackWidth = width, fallbackHeight = height;
        if (frameRatio < ratioMin)
        {
            fallbackHeight = (int)Math.Round(width / ratioMin, MidpointRounding.ToEven);
        }
        else if (frameRatio > ratioMax)
        {
            fallbackWidth = (int)Math.Round(height * ratioMax, MidpointRounding.ToEven);
        }
        return new CropBox((width - fallbackWidth) / 2, (height - fallbackHeight) / 2, fallbackWidth, fallbackHeight);
    }

    /// <summary>
    /// The evaluation crop: the centred square of side min(width, height), offsets
    /// <c>(W − side) / 2</c> and <c>(H − side) / 2</c> rounded down. The reference resizes the short
    /// side to S and centre-crops S×S; this is that square in source pixels. torchvision's
    /// CenterCrop rounds its offset in resized pixels, so the two can differ by under one source
    /// pixel of offset (plus resampling), nothing else.
    /// </summary>
    public static CropBox Center(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int side = Math.Min(width, height);
        return new CropBox((width - side) / 2, (height - side) / 2, side, side);
    }

    /// <summary>
    /// Spatial test view <paramref name="crop"/> of <paramref name="crops"/>: the square of the
    /// short side slid along the long side to <c>int(crop · (long − short) / (crops − 1))</c>, as the
    /// reference's fine-tuning test (kinetics_sparse.py, <c>spatial_step</c> / <c>spatial_start</c>):
    /// with 3 crops the start, the centre and the end. The reference computes the offset after
    /// resizing the short side to the crop size; here it is in source pixels, which can differ by a
    /// pixel of the source. One crop is the centred square.
    /// </summary>
    public static CropBox TestView(int width, int height, int crop, int crops)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(crop);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(crop, crops);
        if (crops == 1)
        {
            return Center(width, height);
        }
        int side = Math.Min(width, height);
        int start = (int)(crop * (double)(Math.Max(width, height) - side) / (crops - 1));
        return width >= height ? new CropBox(start, 0, side, side) : new CropBox(0, start, side, side);
    }

    /// <summary>
    /// The whole frame: stage 2's test transform resizes the full frame to S×S, squashing its
    /// aspect, with no crop.
    /// </summary>
    public static CropBox Whole(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        return new CropBox(0, 0, width, height);
    }

    // Python's // (rounds toward −∞); C#'s / truncates toward zero, which differs for negatives.
    private static int FloorDivide(int numerator, int denominator)
    {
        int quotient = numerator / denominator;
        return (numerator % denominator != 0 && (numerator < 0) != (denominator < 0)) ? quotient - 1 : quotient;
    }
}
