using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.Masking.Semantic;

/// <summary>
/// Options of <c>semantic</c> masking (<c>Umt:Masking:Options:semantic</c>): UMT's attention-guided
/// masking, where each frame keeps the tokens its teacher attends to with higher probability.
/// </summary>
public sealed class SemanticMaskingOptions
{
    /// <summary>
    /// Share of the P patches of each frame hidden from the student; every frame keeps exactly
    /// <c>P − int(Ratio·P)</c> tokens visible, drawn without replacement with probability
    /// proportional to the teacher's CLS→patch attention. 0.8 is UMT's stage-1 setting (40 of 196
    /// patches visible per frame); 1 would leave nothing visible.
    /// </summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double Ratio { get; set; } = 0.8;
}
