using System.ComponentModel.DataAnnotations;

namespace Umt.ThirdParty.SampleObjective;

/// <summary>Options of the <c>token-variance</c> objective (<c>Umt:Objectives:token-variance:Options</c>).</summary>
public sealed class TokenVarianceOptions
{
    /// <summary>Standard deviation each feature channel should keep across a clip's visible tokens.</summary>
    [Range(0.0, 100.0, MinimumIsExclusive = true)]
    public double Target { get; set; } = 1.0;
}
