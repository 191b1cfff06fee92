using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.Masking.Tube;

/// <summary>
/// Options of <c>tube</c> masking (<c>Umt:Masking:Options:tube</c>): one spatial mask per clip,
/// extended through time, VideoMAE's <c>TubeMaskingGenerator</c>.
/// </summary>
public sealed class TubeMaskingOptions
{
    /// <summary>
    /// Share of the P patches of a slot hidden from the student; each clip hides the same
    /// <c>int(Ratio·P)</c> patches in every one of its T slots. 0.9 is VideoMAE's pre-training
    /// setting (176 of 196 patches); 1 would leave nothing visible.
    /// </summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double Ratio { get; set; } = 0.9;
}
