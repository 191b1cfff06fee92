using System.ComponentModel.DataAnnotations;

namespace UmtObjective;

/// <summary>Options of the <c>umt-objective-name</c> objective (<c>Umt:Objectives:umt-objective-name:Options</c>).</summary>
public sealed class UmtObjectiveOptions
{
    /// <summary>L2 norm each visible token of the last student block is pulled towards.</summary>
    [Range(0.0, 1000.0, MinimumIsExclusive = true)]
    public double TargetNorm { get; set; } = 1.0;
}
