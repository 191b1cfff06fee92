using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;

namespace Umt.Runner.Workflows.Visualization;

/// <summary>One clip as the figures show it: its ImageNet-normalised pixels, token grid and name.</summary>
/// <param name="Pixels">The clip <c>[3, T, S, S]</c>, ImageNet-normalised.</param>
/// <param name="Frames">T.</param>
/// <param name="Side">S, the frame side in pixels.</param>
/// <param name="Grid">The student's token grid; a token covers <c>S / Grid.H</c> pixels of <c>T / Grid.T</c> frames.</param>
/// <param name="Name">What the title calls the clip (a file name, or dataset[index]).</param>
public sealed record ClipFrames(float[] Pixels, int Frames, int Side, TokenGrid Grid, string Name)
{
    /// <summary>Pixels of a token's side.</summary>
    public int Patch => Side / Grid.H;

    /// <summary>Frames of one temporal slot of tokens.</summary>
    public int Tubelet => Frames / Grid.T;

    /// <summary>The student token (t-major) that covers pixel (x, y) of frame t.</summary>
    public int Token(int t, int y, int x) => ((t / Tubelet) * Grid.H + y / Patch) * Grid.W + x / Patch;

    /// <summary>
    /// Frame <paramref name="t"/> as an RGB image (row 0 at the top), de-normalised; with
    /// <paramref name="hidden"/> (one mask row <c>[N]</c>, true = hidden), hidden tokens are dimmed
    /// to a quarter and lifted a little so their content stays recognisable but clearly set apart.
    /// </summary>
    public ScottPlot.Image Frame(int t, bool[]? hidden = null)
    {
        var rgb = new byte[Side, Side, 3];
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                bool dimmed = hidden is not null && hidden[Token(t, y, x)];
                for (int c = 0; c < 3; c++)
                {
                    float value = Pixels[((c * Frames + t) * Side + y) * Side + x] * ImageNetNormalization.Std[c] + ImageNetNormalization.Mean[c];
                    float shown = dimmed ? HiddenShade(value) : value;
                    rgb[y, x, c] = (byte)Math.Clamp(MathF.Round(shown * 255), 0, 255);
                }
            }
        }
        return new ScottPlot.Image(rgb);
    }

    /// <summary>How a hidden token's channel value in [0, 1] is shown.</summary>
    public static float HiddenShade(float value) => 0.25f * value + 0.1f;
}
