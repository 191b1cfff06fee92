using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.Masking.Random;

/// <summary>
/// Options of <c>random</c> masking (<c>Umt:Masking:Options:random</c>): every token of the clip
/// is hidden independently of its slot, VideoMAE's <c>RandomMaskingGenerator</c>.
/// </summary>
public sealed class RandomMaskingOptions
{
    /// <summary>
    /// Share of the clip's N tokens hidden from the student; each clip hides exactly
    /// <c>int(Ratio·N)</c> of them. 0.9 is VideoMAE's default; 1 would leave nothing visible.
    /// </summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double Ratio { get; set; } = 0.9;
}
