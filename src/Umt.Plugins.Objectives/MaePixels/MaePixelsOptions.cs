using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.Objectives.MaePixels;

/// <summary>
/// Options of the <c>mae-pixels</c> objective (<c>Umt:Objectives:mae-pixels:Options</c>): VideoMAE's
/// pixel reconstruction of the hidden tokens by a small transformer decoder. Defaults are the
/// ViT-S/B pre-training scripts' decoder (umt-method.md §6).
/// </summary>
public sealed class MaePixelsOptions : IValidatableObject
{
    /// <summary>Decoder token width Dd (384 for ViT-B, 512 for ViT-L in VideoMAE).</summary>
    [Range(1, int.MaxValue)]
    public int DecoderWidth { get; set; } = 384;

    /// <summary>Decoder blocks (4 in the S/B scripts, 12 in the L/H scripts).</summary>
    [Range(1, int.MaxValue)]
    public int DecoderDepth { get; set; } = 4;

    /// <summary>Attention heads of each decoder block; must divide <see cref="DecoderWidth"/>.</summary>
    [Range(1, int.MaxValue)]
    public int DecoderHeads { get; set; } = 6;

    /// <summary>
    /// Reconstruct per-cube normalised pixels (VideoMAE <c>normlize_target=True</c>, its default and
    /// what its results use) instead of raw [0, 1] pixels.
    /// </summary>
    public bool NormalizeTarget { get; set; } = true;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // A non-positive DecoderHeads is already reported by its [Range]; skip it here rather than divide by zero.
        if (DecoderHeads > 0 && DecoderWidth % DecoderHeads != 0)
        {
            yield return new ValidationResult(
                $"DecoderWidth ({DecoderWidth}) must be a multiple of DecoderHeads ({DecoderHeads}): each head gets DecoderWidth / DecoderHeads channels.",
                [nameof(DecoderWidth), nameof(DecoderHeads)]);
        }
    }
}
