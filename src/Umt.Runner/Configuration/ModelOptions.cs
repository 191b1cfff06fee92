using System.ComponentModel.DataAnnotations;

namespace Umt.Runner.Configuration;

/// <summary><c>Umt:Model</c>: the student video ViT and its input geometry.</summary>
public sealed class ModelOptions : IValidatableObject
{
    /// <summary><c>tiny</c> (192/6/3), <c>small</c> (384/12/6), <c>base</c> (768/12/12), <c>large</c> (1024/24/16).</summary>
    [AllowedValues("tiny", "small", "base", "large")]
    public string Preset { get; set; } = "tiny";

    /// <summary>Overrides the preset's width D.</summary>
    [Range(8, 8192)]
    public int? Width { get; set; }

    /// <summary>Overrides the preset's depth.</summary>
    [Range(1, 256)]
    public int? Depth { get; set; }

    /// <summary>Overrides the preset's head count.</summary>
    [Range(1, 256)]
    public int? Heads { get; set; }

    /// <summary>Frames per clip.</summary>
    [Range(1, 1024)]
    public int Frames { get; set; } = 8;

    /// <summary>Square frame side in pixels.</summary>
    [Range(8, 4096)]
    public int ImageSize { get; set; } = 224;

    /// <summary>Spatial patch side in pixels.</summary>
    [Range(1, 256)]
    public int PatchSize { get; set; } = 16;

    /// <summary>Frames per temporal token slot (1 for UMT, 2 for VideoMAE).</summary>
    [Range(1, 64)]
    public int Tubelet { get; set; } = 1;

    /// <summary>Drop-path rate of the last block; block i gets i/(depth−1) of it.</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double DropPath { get; set; } = 0.1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ImageSize % PatchSize != 0)
        {
            yield return new ValidationResult($"must be a multiple of Umt:Model:PatchSize ({PatchSize}), got {ImageSize}", [nameof(ImageSize)]);
        }
        if (Frames % Tubelet != 0)
        {
            yield return new ValidationResult($"must be a multiple of Umt:Model:Tubelet ({Tubelet}), got {Frames}", [nameof(Frames)]);
        }
    }
}
