using Umt.Plugins.Datasets.Randomness;

namespace Umt.Plugins.Datasets.Synthetic;

/// <summary>What every clip of one dataset shares: geometry from the run, switches from the options.</summary>
/// <param name="Frames">T (1 in image mode).</param>
/// <param name="Side">Frame side in pixels (square frames).</param>
/// <param name="Clutter">Whether a distractor may be drawn.</param>
/// <param name="CameraJitter">Whether frames shift by ±1 pixel.</param>
/// <param name="Noise">Pixel noise standard deviation in [0, 1] units.</param>
/// <param name="Images">Image mode: the object stands still.</param>
internal readonly record struct SceneSettings(int Frames, int Side, bool Clutter, bool CameraJitter, float Noise, bool Images);

/// <summary>
/// The sampled latent of one clip: everything the renderer needs, drawn from one key, so the
/// pixels are a pure function of (seed, split, mode, index). Positions are in pixels with the
/// frame spanning [0, Side]; the main object's trajectory is chosen so that, at every frame and
/// whatever the shape, it stays inside the frame (synthetic-benchmark.md: motion "visible
/// whatever the shape").
/// </summary>
internal sealed class SyntheticScene
{
    // Diameters of about 0.18 and 0.32 of the side (the brief's sizes), scaling with ImageSize so a
    // 64- and a 224-pixel run see the same scene.
    private const double SmallRadius = 0.09;
    private const double LargeRadius = 0.16;
    private const double ClutterRadius = 0.065; // smaller than the small main object

    // Grow/shrink spans ×0.6 → ×1.4: a size change of 2.3 over the clip, mean scale 1, so the
    // caption's size word still describes the clip as a whole.
    private const double MinScale = 0.6;
    private const double MaxScale = 1.4;

    // 270° of orbit over the clip: at 8 frames about 39° a step, unambiguous in direction.
    private const double OrbitSweep = 1.5 * Math.PI;

    // A bounce is two hops off a floor: down-up-down-up, which neither a linear move nor
    // standing still can produce.
    private const double BounceHops = 2.0;

    // One pixel of camera jitter plus one of anti-aliasing fringe.
    private const double BorderPixels = 2.0;

    public required SceneSettings Settings { get; init; }

    public required SyntheticShape Shape { get; init; }

    public required SyntheticColour Colour { get; init; }

    public required SyntheticSize Size { get; init; }

    public required SyntheticMotion Motion { get; init; }

    /// <summary>Main object's radius in pixels at scale 1.</summary>
    public required double Radius { get; init; }

    /// <summary>Start point (linear), centre (grow, shrink, still), orbit centre, or the bounce's floor point.</summary>
    public required double X0 { get; init; }

    /// <inheritdoc cref="X0"/>
    public required double Y0 { get; init; }

    /// <summary>Linear travel, orbit radius or bounce height, in pixels.</summary>
    public required double Travel { get; init; }

    /// <summary>Orbit start angle in radians (y down, so increasing angle is clockwise on screen).</summary>
    public required double Phase { get; init; }

    public required bool HasClutter { get; init; }

    public required SyntheticShape ClutterShape { get; init; }

    public required SyntheticColour ClutterColour { get; init; }

    public double ClutterX { get; private set; }

    public double ClutterY { get; private set; }

    public required double ClutterRadiusPixels { get; init; }

    /// <summary>Background colours at the two ends of the gradient, RGB in [0, 1].</summary>
    public required (float R, float G, float B) Background0 { get; init; }

    /// <inheritdoc cref="Background0"/>
    public required (float R, float G, float B) Background1 { get; init; }

    /// <summary>Unit direction of the background gradient.</summary>
    public required (float X, float Y) GradientDirection { get; init; }

    /// <summary>Keys of the background texture, the camera shake and the pixel noise.</summary>
    public required ulong TextureKey { get; init; }

    /// <inheritdoc cref="TextureKey"/>
    public required ulong JitterKey { get; init; }

    /// <inheritdoc cref="TextureKey"/>
    public required ulong NoiseKey { get; init; }

    /// <summary>Draws the scene of one key. Image mode draws no motion: the object stands still.</summary>
    public static SyntheticScene Sample(ulong key, SceneSettings settings)
    {
        var rng = new SplitMix64(key);
        double side = settings.Side;

        var shape = (SyntheticShape)rng.NextInt(SyntheticVocabulary.ShapeCount);
        var colour = (SyntheticColour)rng.NextInt(SyntheticVocabulary.ColourCount);
        var size = (SyntheticSize)rng.NextInt(2);
        var motion = (SyntheticMotion)rng.NextInt(SyntheticVocabulary.MotionCount);
        if (settings.Images)
        {
            motion = SyntheticMotion.Still;
        }

        // ±8% within a size class: sizes vary a little, the two classes never overlap.
        double radius = side * (size == SyntheticSize.Small ? SmallRadius : LargeRadius) * rng.Uniform(0.92, 1.08);
        double maxScale = motion is SyntheticMotion.Grow or SyntheticMotion.Shrink ? MaxScale : 1.0;
        double lo = radius * maxScale + BorderPixels;
        double hi = side - lo;

        double x0, y0, travel = 0, phase = 0;
        switch (motion)
        {
            case SyntheticMotion.Left:
            case SyntheticMotion.Right:
            case SyntheticMotion.Up:
            case SyntheticMotion.Down:
                {
                    travel = Math.Min(side * rng.Uniform(0.30, 0.42), hi - lo);
                    bool horizontal = motion is SyntheticMotion.Left or SyntheticMotion.Right;
                    bool negative = motion is SyntheticMotion.Left or SyntheticMotion.Up;
                    double along = negative ? rng.Uniform(lo + travel, hi) : rng.Uniform(lo, hi - travel);
                    double across = rng.Uniform(lo, hi);
                    (x0, y0) = horizontal ? (along, across) : (across, along);
                    break;
                }
            case SyntheticMotion.OrbitClockwise:
            case SyntheticMotion.OrbitCounterClockwise:
                travel = Math.Min(side * rng.Uniform(0.14, 0.20), (hi - lo) / 2);
                x0 = rng.Uniform(lo + travel, hi - travel);
                y0 = rng.Uniform(lo + travel, hi - travel);
                phase = rng.Uniform(0, 2 * Math.PI);
                break;
            case SyntheticMotion.Bounce:
                travel = Math.Min(side * rng.Uniform(0.25, 0.35), hi - lo);
                x0 = rng.Uniform(lo, hi);
                y0 = rng.Uniform(lo + travel, hi); // the floor; hops rise above it
                break;
            default: // grow, shrink, still
                x0 = rng.Uniform(lo, hi);
                y0 = rng.Uniform(lo, hi);
                break;
        }

        // The distractor's draws are made whether or not Clutter is on, so switching it off removes
        // the distractor and changes nothing else about the clip.
        bool hasClutter = rng.Chance(0.5) && settings.Clutter;
        var clutterShape = (SyntheticShape)(((int)shape + 1 + rng.NextInt(SyntheticVocabulary.ShapeCount - 1)) % SyntheticVocabulary.ShapeCount);
        var clutterColour = (SyntheticColour)(((int)colour + 1 + rng.NextInt(SyntheticVocabulary.ColourCount - 1)) % SyntheticVocabulary.ColourCount);
        double clutterRadius = side * ClutterRadius;

        var background0 = MutedColour(ref rng);
        var background1 = MutedColour(ref rng);
        double angle = rng.Uniform(0, 2 * Math.PI);
        ulong textureKey = rng.Next(), jitterKey = rng.Next(), noiseKey = rng.Next();

        var scene = new SyntheticScene
        {
            Settings = settings,
            Shape = shape,
            Colour = colour,
            Size = size,
            Motion = motion,
            Radius = radius,
            X0 = x0,
            Y0 = y0,
            Travel = travel,
            Phase = phase,
            HasClutter = hasClutter,
            ClutterShape = clutterShape,
            ClutterColour = clutterColour,
            ClutterRadiusPixels = clutterRadius,
            Background0 = background0,
            Background1 = background1,
            GradientDirection = ((float)PortableMath.Cos(angle), (float)PortableMath.Sin(angle)),
            TextureKey = textureKey,
            JitterKey = jitterKey,
            NoiseKey = noiseKey,
        };
        // The distractor's spot depends on the trajectory, so it is placed once the scene exists.
        (scene.ClutterX, scene.ClutterY) = PlaceClutter(scene, ref rng);
        return scene;
    }

    /// <summary>Clip time of frame <paramref name="t"/> in [0, 1]; a single frame shows mid-clip (scale 1).</summary>
    public double Time(int t) => Settings.Frames > 1 ? (double)t / (Settings.Frames - 1) : 0.5;

    /// <summary>The main object's centre (pixels, before camera shake) and scale at frame <paramref name="t"/>.</summary>
    public (double X, double Y, double Scale) Pose(int t)
    {
        double tau = Time(t);
        return Motion switch
        {
            SyntheticMotion.Left => (X0 - Travel * tau, Y0, 1.0),
            SyntheticMotion.Right => (X0 + Travel * tau, Y0, 1.0),
            SyntheticMotion.Up => (X0, Y0 - Travel * tau, 1.0),
            SyntheticMotion.Down => (X0, Y0 + Travel * tau, 1.0),
            SyntheticMotion.Grow => (X0, Y0, MinScale + (MaxScale - MinScale) * tau),
            SyntheticMotion.Shrink => (X0, Y0, MaxScale - (MaxScale - MinScale) * tau),
            SyntheticMotion.OrbitClockwise => Orbit(Phase + OrbitSweep * tau),
            SyntheticMotion.OrbitCounterClockwise => Orbit(Phase - OrbitSweep * tau),
            SyntheticMotion.Bounce => (X0, Y0 - Travel * Math.Abs(PortableMath.Sin(Math.PI * BounceHops * tau)), 1.0),
            _ => (X0, Y0, 1.0),
        };
    }

    /// <summary>Camera shake of frame <paramref name="t"/>: the whole frame moves by (dx, dy) ∈ {-1, 0, 1}².</summary>
    public (int Dx, int Dy) Shift(int t)
    {
        if (!Settings.CameraJitter)
        {
            return (0, 0);
        }
        ulong bits = SplitMix64.Hash(JitterKey, t, 0);
        return ((int)((bits & 0xFFFFFFFF) % 3) - 1, (int)((bits >> 32) % 3) - 1);
    }

    private (double X, double Y, double Scale) Orbit(double angle) =>
        (X0 + Travel * PortableMath.Cos(angle), Y0 + Travel * PortableMath.Sin(angle), 1.0);

    // A distractor that covers the main object would hide what the labels describe: try a few
    // spots and keep the first clear of the whole trajectory (else the clearest one).
    private static (double X, double Y) PlaceClutter(SyntheticScene scene, ref SplitMix64 rng)
    {
        double side = scene.Settings.Side;
        double r = scene.ClutterRadiusPixels;
        // √2: the corners of the unit box bound every shape.
        double needed = Math.Sqrt(2) * (r + scene.Radius * MaxScale) + BorderPixels;
        double bestX = side / 2, bestY = side / 2, bestGap = double.NegativeInfinity;
        for (int attempt = 0; attempt < 16; attempt++)
        {
            double x = rng.Uniform(r + BorderPixels, side - r - BorderPixels);
            double y = rng.Uniform(r + BorderPixels, side - r - BorderPixels);
            double gap = double.PositiveInfinity;
            for (int t = 0; t < scene.Settings.Frames; t++)
            {
                var (px, py, _) = scene.Pose(t);
                gap = Math.Min(gap, Math.Sqrt((px - x) * (px - x) + (py - y) * (py - y)));
            }
            if (gap > bestGap)
            {
                (bestX, bestY, bestGap) = (x, y, gap);
            }
            if (gap >= needed)
            {
                break;
            }
        }
        return (bestX, bestY);
    }

    // Muted: a mid grey with a tint of at most ±0.12 per channel, so the saturated object colours
    // (SyntheticVocabulary.Rgb) always stand out from the background.
    private static (float R, float G, float B) MutedColour(ref SplitMix64 rng)
    {
        double grey = rng.Uniform(0.35, 0.65);
        return ((float)(grey + rng.Uniform(-0.12, 0.12)), (float)(grey + rng.Uniform(-0.12, 0.12)), (float)(grey + rng.Uniform(-0.12, 0.12)));
    }
}
