using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.Objectives.Mlm;

/// <summary>Options of the <c>mlm</c> objective (<c>Umt:Objectives:mlm:Options</c>).</summary>
public sealed class MlmOptions
{
    /// <summary>Share of the caption's tokens (all but [PAD] and [CLS]) selected for prediction (the reference's <c>mlm_masking_prob</c>).</summary>
    [Range(0.0, 1.0)]
    public double Probability { get; set; } = 0.5;
}
