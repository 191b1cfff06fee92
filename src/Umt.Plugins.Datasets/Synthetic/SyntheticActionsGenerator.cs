using System.Buffers;
using Umt.Abstractions.Datasets;

using Umt.Plugins.Datasets.Randomness;

namespace Umt.Plugins.Datasets.Synthetic;

/// <summary>
/// Renders a <see cref="SyntheticScene"/> into ImageNet-normalised pixels <c>[3, T, H, W]</c> and
/// the main object's boxes <c>[T, 4]</c>. Pure managed code with no shared state: it runs on the
/// fly for every sample from several decode workers at once (synthetic-benchmark.md), so it only
/// touches its arguments and one pooled scratch buffer.
/// </summary>
internal static class SyntheticActionsGenerator
{
    // Background texture: value noise on a lattice of side/8 (one lattice cell per patch at 64×64
    // with patch 8, the tiny student's grid) plus a fine static grain. Low amplitude on purpose:
    // many tokens, little meaning — what semantic masking should learn to hide.
    private const int TextureCells = 8;
    private const float TextureAmplitude = 0.05f;
    private const float GrainAmplitude = 0.015f;

    // Irwin–Hall with four uniforms, rescaled to unit variance: near-Gaussian noise (bounded at
    // ±3.5σ) from one 64-bit draw, without Box–Muller's logarithm and cosine, which are slower and
    // come from the platform's maths library (not bit-identical across machines).
    private static readonly float IrwinHallScale = MathF.Sqrt(3f);

    /// <summary>Renders <paramref name="scene"/>.</summary>
    /// <param name="scene">The latent to draw.</param>
    /// <param name="pixels">Output, length <c>3·T·S·S</c>, layout <c>[3, T, H, W]</c>.</param>
    /// <param name="boxes">Output, length <c>4·T</c>: (x0, y0, x1, y1) per frame in [0, 1].</param>
    public static void Render(SyntheticScene scene, Span<float> pixels, Span<float> boxes)
    {
        int frames = scene.Settings.Frames;
        int side = scene.Settings.Side;
        int area = side * side;
        if (pixels.Length != 3 * frames * area)
        {
            throw new ArgumentException($"Expected {3 * frames * area} pixel values, got {pixels.Length}.", nameof(pixels));
        }
        if (boxes.Length != 4 * frames)
        {
            throw new ArgumentException($"Expected {4 * frames} box values, got {boxes.Length}.", nameof(boxes));
        }

        // The background carries a one-pixel margin so a shaken frame still reads real background
        // at its edges.
        int stride = side + 2;
        int backgroundPlane = stride * stride;
        float[] background = ArrayPool<float>.Shared.Rent(3 * backgroundPlane);
        try
        {
            PaintBackground(scene, background.AsSpan(0, 3 * backgroundPlane), stride);
            ulong noiseState = scene.NoiseKey;
            int channelPlane = frames * area;
            for (int t = 0; t < frames; t++)
            {
                var (dx, dy) = scene.Shift(t);
                for (int c = 0; c < 3; c++)
                {
                    Span<float> frame = pixels.Slice(c * channelPlane + t * area, area);
                    ReadOnlySpan<float> source = background.AsSpan(c * backgroundPlane, backgroundPlane);
                    for (int y = 0; y < side; y++)
                    {
                        // The scene moved by (dx, dy): output pixel (x, y) shows scene point (x - dx, y - dy).
                        source.Slice((y - dy + 1) * stride + (1 - dx), side).CopyTo(frame.Slice(y * side, side));
                    }
                }

                if (scene.HasClutter)
                {
                    Draw(pixels, channelPlane, t * area, side, scene.ClutterShape, SyntheticVocabulary.Rgb(scene.ClutterColour),
                        scene.ClutterX + dx, scene.ClutterY + dy, scene.ClutterRadiusPixels);
                }
                var (x, y0, scale) = scene.Pose(t);
                double radius = scene.Radius * scale;
                double cx = x + dx, cy = y0 + dy;
                // Drawn last: the main object is never covered, so its box always shows it.
                Draw(pixels, channelPlane, t * area, side, scene.Shape, SyntheticVocabulary.Rgb(scene.Colour), cx, cy, radius);

                var extent = SyntheticShapeGeometry.Extent(scene.Shape);
                Span<float> box = boxes.Slice(4 * t, 4);
                box[0] = Math.Clamp((float)((cx + radius * extent.X0) / side), 0f, 1f);
                box[1] = Math.Clamp((float)((cy + radius * extent.Y0) / side), 0f, 1f);
                box[2] = Math.Clamp((float)((cx + radius * extent.X1) / side), 0f, 1f);
                box[3] = Math.Clamp((float)((cy + radius * extent.Y1) / side), 0f, 1f);

                for (int c = 0; c < 3; c++)
                {
                    Finish(pixels.Slice(c * channelPlane + t * area, area), ref noiseState, scene.Settings.Noise,
                        ImageNetNormalization.Mean[c], ImageNetNormalization.Std[c]);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(background);
        }
    }

    // Linear gradient between two muted colours along a random direction, plus texture and grain
    // shared by the three channels (luminance only, so the texture carries no colour to confuse
    // with an object).
    private static void PaintBackground(SyntheticScene scene, Span<float> background, int stride)
    {
        int side = scene.Settings.Side;
        int plane = stride * stride;
        float cell = side / (float)TextureCells;
        var (gx, gy) = scene.GradientDirection;
        var (r0, g0, b0) = scene.Background0;
        var (r1, g1, b1) = scene.Background1;
        ulong grainKey = SplitMix64.Mix(scene.TextureKey ^ 0x5DEECE66DUL);
        // The lattice points the frame touches, from -1 (the margin) to TextureCells + 1, hashed once.
        const int points = TextureCells + 3;
        Span<float> lattice = stackalloc float[points * points];
        for (int iy = 0; iy < points; iy++)
        {
            for (int ix = 0; ix < points; ix++)
            {
                lattice[iy * points + ix] = Lattice(scene.TextureKey, ix - 1, iy - 1);
            }
        }
        for (int by = 0; by < stride; by++)
        {
            float py = by - 1 + 0.5f; // scene coordinate of the pixel centre
            float ly = py / cell;
            int iy = (int)MathF.Floor(ly);
            float fy = Smooth(ly - iy);
            int row = (iy + 1) * points + 1;
            for (int bx = 0; bx < stride; bx++)
            {
                float px = bx - 1 + 0.5f;
                float mix = Math.Clamp(((px / side - 0.5f) * gx + (py / side - 0.5f) * gy) + 0.5f, 0f, 1f);

                float lx = px / cell;
                int ix = (int)MathF.Floor(lx);
                float fx = Smooth(lx - ix);
                float top = Lerp(lattice[row + ix], lattice[row + ix + 1], fx);
                float bottom = Lerp(lattice[row + points + ix], lattice[row + points + ix + 1], fx);
                float texture = TextureAmplitude * Lerp(top, bottom, fy) + GrainAmplitude * Lattice(grainKey, bx, by);

                int at = by * stride + bx;
                background[at] = Lerp(r0, r1, mix) + texture;
                background[plane + at] = Lerp(g0, g1, mix) + texture;
                background[2 * plane + at] = Lerp(b0, b1, mix) + texture;
            }
        }
    }

    // Composites one anti-aliased shape over the frame t slice of each channel plane, visiting
    // only the pixels of its bounding square.
    private static void Draw(Span<float> pixels, int channelPlane, int frameOffset, int side, SyntheticShape shape,
        (float R, float G, float B) colour, double cx, double cy, double radius)
    {
        int xStart = Math.Max(0, (int)Math.Floor(cx - radius - 1));
        int xEnd = Math.Min(side - 1, (int)Math.Ceiling(cx + radius + 1));
        int yStart = Math.Max(0, (int)Math.Floor(cy - radius - 1));
        int yEnd = Math.Min(side - 1, (int)Math.Ceiling(cy + radius + 1));
        float inverse = (float)(1.0 / radius);
        float r = (float)radius, fcx = (float)cx, fcy = (float)cy;
        Span<float> red = pixels.Slice(frameOffset, side * side);
        Span<float> green = pixels.Slice(channelPlane + frameOffset, side * side);
        Span<float> blue = pixels.Slice(2 * channelPlane + frameOffset, side * side);
        for (int y = yStart; y <= yEnd; y++)
        {
            float v = (y + 0.5f - fcy) * inverse;
            int row = y * side;
            for (int x = xStart; x <= xEnd; x++)
            {
                float u = (x + 0.5f - fcx) * inverse;
                // Coverage from the distance in pixels: a one-pixel linear ramp across the edge.
                float alpha = Math.Clamp(0.5f - SyntheticShapeGeometry.Distance(shape, u, v) * r, 0f, 1f);
                if (alpha > 0f)
                {
                    int at = row + x;
                    red[at] += alpha * (colour.R - red[at]);
                    green[at] += alpha * (colour.G - green[at]);
                    blue[at] += alpha * (colour.B - blue[at]);
                }
            }
        }
    }

    // Noise, clamp to [0, 1] (a real frame's range), then ImageNet normalisation, in place.
    // The noise is the SplitMix64 stream of NoiseKey written out by hand, so its state stays in a
    // register: through the struct the loop ran about three times slower (measured).
    private static void Finish(Span<float> plane, ref ulong noiseState, float sigma, float mean, float std)
    {
        float inverseStd = 1f / std;
        if (sigma > 0f)
        {
            float scale = sigma * IrwinHallScale * (1f / 65536f);
            float offset = sigma * IrwinHallScale * 2f;
            ulong state = noiseState;
            for (int i = 0; i < plane.Length; i++)
            {
                state += SplitMix64.Golden;
                ulong bits = SplitMix64.Mix(state);
                // Four 16-bit fields, each (k + ½)/65536 a uniform in (0, 1); their sum minus 2, times
                // √3, has unit variance. Summed as int: ulong → float has no single x64
                // instruction and costs a helper call.
                int sum = (int)(bits & 0xFFFF) + (int)((bits >> 16) & 0xFFFF) + (int)((bits >> 32) & 0xFFFF) + (int)(bits >> 48);
                float value = plane[i] + (sum + 2f) * scale - offset;
                plane[i] = (Math.Clamp(value, 0f, 1f) - mean) * inverseStd;
            }
            noiseState = state;
        }
        else
        {
            for (int i = 0; i < plane.Length; i++)
            {
                plane[i] = (Math.Clamp(plane[i], 0f, 1f) - mean) * inverseStd;
            }
        }
    }

    // Lattice value in [-1, 1] at integer point (ix, iy).
    private static float Lattice(ulong key, int ix, int iy) =>
        (int)(SplitMix64.Hash(key, ix, iy) >> 40) * (2f / (1 << 24)) - 1f;

    private static float Smooth(float f) => f * f * (3f - 2f * f);

    private static float Lerp(float a, float b, float f) => a + (b - a) * f;
}
