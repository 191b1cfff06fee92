using Umt.Abstractions.Geometry;

namespace Umt.Models.Student;

/// <summary>
/// Size and input geometry of the student video ViT. Presets fix the size (width, depth, heads);
/// the run sets the geometry and drop-path, e.g. <c>StudentPresets.Get("tiny") with { ImageSize = 64, PatchSize = 8 }</c>.
/// Defaults are UMT stage 1's (umt-method.md §2.1): 8 frames of 224², 16² patches, tubelet 1.
/// </summary>
public sealed record StudentConfig
{
    /// <summary>Token width D.</summary>
    public required int Width { get; init; }

    /// <summary>Number of blocks.</summary>
    public required int Depth { get; init; }

    /// <summary>Attention heads; must divide <see cref="Width"/>.</summary>
    public required int Heads { get; init; }

    /// <summary>MLP hidden width over D.</summary>
    public double MlpRatio { get; init; } = 4;

    /// <summary>Spatial patch side in pixels; must divide <see cref="ImageSize"/>.</summary>
    public int PatchSize { get; init; } = 16;

    /// <summary>Frames per temporal token slot; must divide <see cref="Frames"/>.</summary>
    public int Tubelet { get; init; } = 1;

    /// <summary>Input frames per clip.</summary>
    public int Frames { get; init; } = 8;

    /// <summary>Input side in pixels (square frames).</summary>
    public int ImageSize { get; init; } = 224;

    /// <summary>Drop-path rate of the last block; earlier blocks rise linearly from 0.</summary>
    public double DropPath { get; init; }

    /// <summary>The geometry facts plugins size themselves by.</summary>
    public StudentSpec ToSpec() => new(Width, Depth, Heads, Frames, ImageSize, PatchSize, Tubelet);

    /// <summary>Throws <see cref="ArgumentException"/> naming every inconsistent value.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (Width <= 0 || Depth <= 0 || Heads <= 0 || PatchSize <= 0 || Tubelet <= 0 || Frames <= 0 || ImageSize <= 0)
        {
            problems.Add($"sizes must be positive (Width {Width}, Depth {Depth}, Heads {Heads}, PatchSize {PatchSize}, Tubelet {Tubelet}, Frames {Frames}, ImageSize {ImageSize})");
        }
        else
        {
            if (Width % Heads != 0) problems.Add($"Heads {Heads} must divide Width {Width}");
            if (ImageSize % PatchSize != 0) problems.Add($"PatchSize {PatchSize} must divide ImageSize {ImageSize}");
            if (Frames % Tubelet != 0) problems.Add($"Tubelet {Tubelet} must divide Frames {Frames}");
        }
        if (MlpRatio <= 0) problems.Add($"MlpRatio {MlpRatio} must be positive");
        if (DropPath is < 0 or > 1) problems.Add($"DropPath {DropPath} must lie in [0, 1]");
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid student configuration: {string.Join("; ", problems)}.");
        }
    }
}
