using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.Teachers.Clip;

/// <summary>
/// Options of the <c>clip</c> teacher (<c>Umt:Teacher:Options:clip</c>): a frozen OpenAI CLIP
/// vision tower, the UMT teacher (umt-method.md §2.2).
/// </summary>
public sealed class ClipTeacherOptions : IValidatableObject
{
    /// <summary>
    /// <c>b16</c> (CLIP ViT-B/16: width 768, 12 layers, output 512), <c>l14</c> (ViT-L/14: 1024,
    /// 24, 768) or <c>custom</c> (architecture inferred from <see cref="Weights"/>, heads = width/64
    /// unless <see cref="Heads"/> is given). A preset is checked against the file's shapes.
    /// </summary>
    [Required]
    [RegularExpression("^(b16|l14|custom)$", ErrorMessage = "Preset must be 'b16', 'l14' or 'custom'.")]
    public string Preset { get; set; } = "b16";

    /// <summary>
    /// Weight file, in any published layout: OpenAI's <c>ViT-B-16.pt</c> (TorchScript) or a full
    /// state dict <c>.pth</c>, the reference's stripped <c>vit_b16.pth</c>, or HuggingFace
    /// <c>model.safetensors</c>. Read as data; nothing in it is executed. Relative to the config root.
    /// </summary>
    [Required(ErrorMessage = "Weights is required: a teacher with random weights teaches nothing (make a random one for smoke runs with 'umt teacher init').")]
    public string? Weights { get; set; }

    /// <summary>
    /// Side of the square frames the teacher sees; frames are resized bicubically when it differs
    /// from the clip's. Default: the student's grid times the teacher's patch, so the token grids
    /// match (224 for B/16 and 196 for L/14 under a 224/16 student, as the reference feeds them).
    /// </summary>
    [Range(1, 4096)]
    public int? InputResolution { get; set; }

    /// <summary>
    /// <c>auto</c> (bf16 where the hardware computes it natively: CUDA, or a CPU with AVX512-BF16
    /// or AMX-BF16; fp32 elsewhere; the choice and its reason are logged), <c>fp32</c>, or
    /// <c>bf16</c>: weights cast once at load and the forward in bfloat16 (LayerNorm statistics and
    /// the CLS attention softmax in fp32), features and attention returned in fp32 — the reference
    /// runs its teacher under autocast for speed.
    /// </summary>
    [Required]
    [RegularExpression("^(auto|fp32|bf16)$", ErrorMessage = "Precision must be 'auto', 'fp32' or 'bf16'.")]
    public string Precision { get; set; } = "auto";

    /// <summary>Attention heads, for <c>custom</c> towers that break OpenAI's width/64 rule.</summary>
    [Range(1, 1024)]
    public int? Heads { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Heads is not null && Preset != "custom")
        {
            yield return new ValidationResult($"Heads applies to Preset 'custom' only; '{Preset}' fixes its heads.", [nameof(Heads)]);
        }
    }
}
