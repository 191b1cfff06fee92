using System.ComponentModel.DataAnnotations;
using Umt.Models.Student;

namespace Umt.Runner.Engine.Configuration;

/// <summary><c>Umt:Model</c>: the student video ViT and its input geometry.</summary>
public sealed class ModelOptions : IValidatableObject
{
    private const int MaxHeads = 256;

    /// <summary><c>tiny</c> (192/6/3), <c>small</c> (384/12/6), <c>base</c> (768/12/12), <c>large</c> (1024/24/16).</summary>
    [AllowedValues("tiny", "small", "base", "large")]
    public string Preset { get; set; } = "tiny";

    /// <summary>Overrides the preset's width D.</summary>
    [Range(8, 8192)]
    public int? Width { get; set; }

    /// <summary>Overrides the preset's depth.</summary>
    [Range(1, 256)]
    public int? Depth { get; set; }

    /// <summary>Overrides the preset's head count; it must divide the width.</summary>
    [Range(1, MaxHeads)]
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
        // Checked here, not only when the student is built, so `umt validate` refuses what `umt train` cannot build.
        var preset = StudentPresets.Get(Preset);
        int width = Width ?? preset.Width, heads = Heads ?? preset.Heads;
        if (width % heads != 0)
        {
            string FromPreset(int? value) => value is null ? $" (preset '{Preset}')" : "";
            var valid = Enumerable.Range(1, Math.Min(width, MaxHeads)).Where(h => width % h == 0);
            yield return new ValidationResult(
                $"= {heads}{FromPreset(Heads)} does not divide Umt:Model:Width = {width}{FromPreset(Width)}: each head takes Width / Heads channels. "
                + $"Head counts that divide {width}: {string.Join(", ", valid)}.",
                [nameof(Heads)]);
        }
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
