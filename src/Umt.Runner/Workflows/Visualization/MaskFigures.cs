using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;

namespace Umt.Runner.Workflows.Visualization;

/// <summary>
/// The figures of <c>umt mask</c>, as RGB images: a clip's frames side by side with the visible
/// tokens of one draw outlined and the hidden ones dimmed, and per-token heat maps (how often a
/// token stayed visible, the teacher's attention) on the same layout, so they can be laid over
/// each other by eye.
/// </summary>
public static class MaskFigures
{
    /// <summary>Screen pixels per clip pixel: 64×64 frames are too small to read at 1×.</summary>
    public const int Zoom = 4;

    private const int Gap = 2 * Zoom;
    private static readonly byte[] Outline = [255, 220, 0];

    /// <summary>Frames with the visible tokens of <paramref name="hidden"/> outlined (true = hidden, dimmed).</summary>
    /// <param name="pixels">One clip <c>[3, T, H, W]</c>, ImageNet-normalised.</param>
    /// <param name="frames">T.</param>
    /// <param name="side">H = W in pixels.</param>
    /// <param name="grid">Token grid; tokens per slot cover <c>side / grid.H</c> pixels.</param>
    /// <param name="hidden">One mask row <c>[N]</c>, true = hidden.</param>
    public static (int Width, int Height, byte[] Rgb) Frames(float[] pixels, int frames, int side, TokenGrid grid, bool[] hidden)
    {
        int patch = side / grid.H, tubelet = frames / grid.T;
        var (width, height, rgb) = Canvas(frames, side);
        for (int t = 0; t < frames; t++)
        {
            for (int y = 0; y < side; y++)
            {
                for (int x = 0; x < side; x++)
                {
                    int token = ((t / tubelet) * grid.H + y / patch) * grid.W + x / patch;
                    bool visible = !hidden[token];
                    bool edge = visible && (y % patch == 0 || y % patch == patch - 1 || x % patch == 0 || x % patch == patch - 1);
                    var colour = new byte[3];
                    for (int c = 0; c < 3; c++)
                    {
                        float value = pixels[((c * frames + t) * side + y) * side + x] * ImageNetNormalization.Std[c] + ImageNetNormalization.Mean[c];
                        float shown = visible ? value : 0.25f * value + 0.1f; // hidden: dimmed, still recognisable
                        colour[c] = edge ? Outline[c] : (byte)Math.Clamp(MathF.Round(shown * 255), 0, 255);
                    }
                    Fill(rgb, width, FrameLeft(t, side) + x * Zoom, y * Zoom, Zoom, colour);
                }
            }
        }
        return (width, height, rgb);
    }

    /// <summary>A heat map of per-token values in [0, max] on the frames' layout (black → red → yellow → white).</summary>
    /// <param name="values">Per token <c>[N]</c>, t-major.</param>
    /// <param name="frames">T of the clip (tokens of a slot span <c>frames / grid.T</c> frames).</param>
    /// <param name="side">Frame side in pixels.</param>
    /// <param name="grid">Token grid.</param>
    public static (int Width, int Height, byte[] Rgb) Heat(float[] values, int frames, int side, TokenGrid grid)
    {
        int patch = side / grid.H, tubelet = frames / grid.T;
        float max = Math.Max(values.Max(), 1e-12f);
        var (width, height, rgb) = Canvas(frames, side);
        for (int t = 0; t < frames; t++)
        {
            for (int h = 0; h < grid.H; h++)
            {
                for (int w = 0; w < grid.W; w++)
                {
                    float v = values[((t / tubelet) * grid.H + h) * grid.W + w] / max;
                    Fill(rgb, width, FrameLeft(t, side) + w * patch * Zoom, h * patch * Zoom, patch * Zoom, Colormap(v));
                }
            }
        }
        return (width, height, rgb);
    }

    private static (int Width, int Height, byte[] Rgb) Canvas(int frames, int side)
    {
        int width = frames * side * Zoom + (frames - 1) * Gap, height = side * Zoom;
        var rgb = new byte[width * height * 3];
        Array.Fill(rgb, (byte)255); // white gaps between frames
        return (width, height, rgb);
    }

    private static int FrameLeft(int t, int side) => t * (side * Zoom + Gap);

    private static void Fill(byte[] rgb, int width, int left, int top, int size, byte[] colour)
    {
        for (int y = top; y < top + size; y++)
        {
            for (int x = left; x < left + size; x++)
            {
                int i = (y * width + x) * 3;
                (rgb[i], rgb[i + 1], rgb[i + 2]) = (colour[0], colour[1], colour[2]);
            }
        }
    }

    /// <summary>"Hot" colour map: 0 black, 1/3 red, 2/3 yellow, 1 white.</summary>
    private static byte[] Colormap(float v)
    {
        v = Math.Clamp(v, 0, 1);
        static byte Ramp(float x) => (byte)Math.Clamp(MathF.Round(x * 255), 0, 255);
        return [Ramp(3 * v), Ramp(3 * v - 1), Ramp(3 * v - 2)];
    }
}
