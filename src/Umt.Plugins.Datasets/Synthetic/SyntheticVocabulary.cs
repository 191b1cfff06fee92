using Umt.Plugins.Datasets.Ava;

namespace Umt.Plugins.Datasets.Synthetic;

/// <summary>Shape of an object (synthetic-benchmark.md, "main object").</summary>
public enum SyntheticShape
{
    Circle,
    Square,
    Triangle,
    Cross,
    Ring,
    Star,
}

/// <summary>Colour of an object.</summary>
public enum SyntheticColour
{
    Red,
    Green,
    Blue,
    Yellow,
    Cyan,
    Magenta,
}

/// <summary>Size class of the main object.</summary>
public enum SyntheticSize
{
    Small,
    Large,
}

/// <summary>Motion of the main object: the temporal label (class index = enum value).</summary>
public enum SyntheticMotion
{
    Left,
    Right,
    Up,
    Down,
    Grow,
    Shrink,
    OrbitClockwise,
    OrbitCounterClockwise,
    Bounce,
    Still,
}

/// <summary>
/// The closed vocabulary of SyntheticActions: label sets, names used in captions and the colour
/// palette. Public so tools (clip export, zero-shot prompts) use the same words as the captions.
/// </summary>
public static class SyntheticVocabulary
{
    /// <summary>Label set of the motion (10 classes): needs time to tell, like SSv2.</summary>
    public const string MotionLabel = "motion";

    /// <summary>Label set of shape × colour (36 classes): visible in one frame, like K400.</summary>
    public const string AppearanceLabel = "appearance";

    public const int ShapeCount = 6;

    public const int ColourCount = 6;

    public const int MotionCount = 10;

    public const int AppearanceCount = ShapeCount * ColourCount;

    /// <summary>The motion's id in the AVA-form label map (<see cref="MotionActions"/>): AVA numbers actions from 1.</summary>
    public static int ActionId(SyntheticMotion motion) => (int)motion + 1;

    /// <summary>The motions as an AVA label map: action detection's classes on SyntheticActions, named by their caption phrase.</summary>
    public static IReadOnlyList<AvaLabel> MotionActions() =>
        [.. Enum.GetValues<SyntheticMotion>().Select(m => new AvaLabel(ActionId(m), Phrase(m)))];

    /// <summary>Appearance class index: <c>shape * 6 + colour</c>.</summary>
    public static int Appearance(SyntheticShape shape, SyntheticColour colour) => (int)shape * ColourCount + (int)colour;

    /// <summary>Shape of an appearance class index.</summary>
    public static SyntheticShape ShapeOf(int appearance) => (SyntheticShape)(appearance / ColourCount);

    /// <summary>Colour of an appearance class index.</summary>
    public static SyntheticColour ColourOf(int appearance) => (SyntheticColour)(appearance % ColourCount);

    public static string Name(SyntheticShape shape) => shape switch
    {
        SyntheticShape.Circle => "circle",
        SyntheticShape.Square => "square",
        SyntheticShape.Triangle => "triangle",
        SyntheticShape.Cross => "cross",
        SyntheticShape.Ring => "ring",
        SyntheticShape.Star => "star",
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    public static string Name(SyntheticColour colour) => colour switch
    {
        SyntheticColour.Red => "red",
        SyntheticColour.Green => "green",
        SyntheticColour.Blue => "blue",
        SyntheticColour.Yellow => "yellow",
        SyntheticColour.Cyan => "cyan",
        SyntheticColour.Magenta => "magenta",
        _ => throw new ArgumentOutOfRangeException(nameof(colour)),
    };

    public static string Name(SyntheticSize size) => size switch
    {
        SyntheticSize.Small => "small",
        SyntheticSize.Large => "large",
        _ => throw new ArgumentOutOfRangeException(nameof(size)),
    };

    /// <summary>The words a caption uses for a motion ("moving to the left", "standing still").</summary>
    public static string Phrase(SyntheticMotion motion) => motion switch
    {
        SyntheticMotion.Left => "moving to the left",
        SyntheticMotion.Right => "moving to the right",
        SyntheticMotion.Up => "moving up",
        SyntheticMotion.Down => "moving down",
        SyntheticMotion.Grow => "growing",
        SyntheticMotion.Shrink => "shrinking",
        SyntheticMotion.OrbitClockwise => "orbiting clockwise",
        SyntheticMotion.OrbitCounterClockwise => "orbiting counter-clockwise",
        SyntheticMotion.Bounce => "bouncing",
        SyntheticMotion.Still => "standing still",
        _ => throw new ArgumentOutOfRangeException(nameof(motion)),
    };

    /// <summary>
    /// Object colour in [0, 1] RGB before normalisation. Saturated (one channel ≥ 0.8, one ≤ 0.2)
    /// while the background stays muted, so an object never blends into the background whatever
    /// the draw.
    /// </summary>
    public static (float R, float G, float B) Rgb(SyntheticColour colour) => colour switch
    {
        SyntheticColour.Red => (0.90f, 0.12f, 0.12f),
        SyntheticColour.Green => (0.12f, 0.80f, 0.18f),
        SyntheticColour.Blue => (0.15f, 0.25f, 0.95f),
        SyntheticColour.Yellow => (0.95f, 0.88f, 0.12f),
        SyntheticColour.Cyan => (0.12f, 0.88f, 0.90f),
        SyntheticColour.Magenta => (0.90f, 0.15f, 0.88f),
        _ => throw new ArgumentOutOfRangeException(nameof(colour)),
    };
}
