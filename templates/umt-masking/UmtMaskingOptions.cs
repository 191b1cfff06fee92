using System.ComponentModel.DataAnnotations;

namespace UmtMasking;

/// <summary>Options of the <c>umt-masking-name</c> masking strategy (<c>Umt:Masking:Options:umt-masking-name</c>).</summary>
public sealed class UmtMaskingOptions
{
    /// <summary>Share of each frame's tokens hidden (int(P·Ratio) of the P tokens of every frame).</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double Ratio { get; set; } = 0.75;
}
