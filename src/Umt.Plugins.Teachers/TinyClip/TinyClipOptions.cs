using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.Teachers.TinyClip;

/// <summary>
/// Options of the <c>tiny-clip</c> teacher (<c>Umt:Teacher:Options:tiny-clip</c>): the embedded
/// default's CLIP-shaped teacher (synthetic-benchmark.md), trained by <c>umt teacher train</c> on
/// synthetic images and shipped in OpenAI's key layout. It is the <c>clip</c> teacher with a
/// shipped file and an inferred architecture.
/// </summary>
public sealed class TinyClipOptions
{
    /// <summary>The shipped weights (OpenAI layout, safetensors); relative to the config root.</summary>
    [Required]
    public string Weights { get; set; } = "assets/teachers/tiny-clip.safetensors";

    /// <summary>Side of the frames the teacher sees; default: the student's grid times the teacher's patch (64 for the tiny default).</summary>
    [Range(1, 4096)]
    public int? InputResolution { get; set; }

    /// <summary><c>auto</c>, <c>fp32</c> or <c>bf16</c> (see the <c>clip</c> teacher).</summary>
    [Required]
    [RegularExpression("^(auto|fp32|bf16)$", ErrorMessage = "Precision must be 'auto', 'fp32' or 'bf16'.")]
    public string Precision { get; set; } = "auto";
}
