using Umt.Abstractions.Datasets;

namespace Umt.Plugins.Datasets.Augmentation;

/// <summary>
/// Decoded RGB24 frames to the model's input: ImageNet-normalised floats, channels first,
/// <c>[3, T, H, W]</c>. The reference does the same in three passes (ToTorchFormatTensor divides by
/// 255, GroupNormalize subtracts the mean and divides by the std, then the view/transpose to
/// C, T, H, W); this runs for every clip on the decode workers, so it is one pass through a
/// 256-entry table per channel: a byte maps to exactly one float, with no arithmetic per pixel.
/// </summary>
internal static class ClipPixels
{
    // Entry c·256 + v: (v/255 − mean_c)/std_c computed in float64 and rounded once to float32, the
    // correctly rounded value (the reference's float32 steps can differ from it by an ulp or two).
    private static readonly float[] Table = BuildTable();

    /// <summary>Converts <paramref name="frames"/> packed RGB24 frames into a new array.</summary>
    /// <param name="rgb">Bytes <c>[T, H, W, 3]</c>: frame-major, rows top to bottom, R, G, B per pixel.</param>
    /// <param name="flip">Mirror every frame horizontally (the reference's random flip).</param>
    /// <returns>Normalised values, layout <c>[3, T, H, W]</c>.</returns>
    public static float[] FromRgb24(ReadOnlySpan<byte> rgb, int frames, int height, int width, bool flip)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        var pixels = new float[3 * frames * height * width];
        FromRgb24(rgb, frames, height, width, flip, pixels);
        return pixels;
    }

    /// <summary>As above, into <paramref name="destination"/> (length <c>3·T·H·W</c>, e.g. a pooled buffer).</summary>
    public static void FromRgb24(ReadOnlySpan<byte> rgb, int frames, int height, int width, bool flip, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        int area = height * width;
        int channelPlane = frames * area;
        if (rgb.Length != 3 * channelPlane)
        {
            throw new ArgumentException($"Expected {3 * channelPlane} bytes for {frames}×{height}×{width} RGB24, got {rgb.Length}.", nameof(rgb));
        }
        if (destination.Length != 3 * channelPlane)
        {
            throw new ArgumentException($"Expected {3 * channelPlane} values, got {destination.Length}.", nameof(destination));
        }

        ReadOnlySpan<float> red = Table.AsSpan(0, 256);
        ReadOnlySpan<float> green = Table.AsSpan(256, 256);
        ReadOnlySpan<float> blue = Table.AsSpan(512, 256);
        int rowCount = frames * height; // frame t's row y is row t·H + y in both layouts
        for (int row = 0; row < rowCount; row++)
        {
            ReadOnlySpan<byte> source = rgb.Slice(row * width * 3, width * 3);
            Span<float> r = destination.Slice(row * width, width);
            Span<float> g = destination.Slice(channelPlane + row * width, width);
            Span<float> b = destination.Slice(2 * channelPlane + row * width, width);
            if (flip)
            {
                for (int x = 0, at = 3 * (width - 1); x < width; x++, at -= 3)
                {
                    r[x] = red[source[at]];
                    g[x] = green[source[at + 1]];
                    b[x] = blue[source[at + 2]];
                }
            }
            else
            {
                for (int x = 0, at = 0; x < width; x++, at += 3)
                {
                    r[x] = red[source[at]];
                    g[x] = green[source[at + 1]];
                    b[x] = blue[source[at + 2]];
                }
            }
        }
    }

    private static float[] BuildTable()
    {
        var table = new float[3 * 256];
        for (int c = 0; c < 3; c++)
        {
            double mean = ImageNetNormalization.Mean[c];
            double std = ImageNetNormalization.Std[c];
            for (int v = 0; v < 256; v++)
            {
                table[c * 256 + v] = (float)((v / 255.0 - mean) / std);
            }
        }
        return table;
    }
}
