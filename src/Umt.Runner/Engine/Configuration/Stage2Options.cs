using System.ComponentModel.DataAnnotations;

namespace Umt.Runner.Engine.Configuration;

/// <summary>
/// <c>Umt:Stage2</c>: the vision-language parts shared by the caption objectives (umt-method.md
/// §3.1) and where the student starts from. Read only when an enabled objective needs a text encoder.
/// </summary>
public sealed class Stage2Options
{
    /// <summary>
    /// Stage-1 weights to start from: a run folder (its latest checkpoint), a checkpoint folder or a
    /// <c>model.safetensors</c>. Its <c>encoder.*</c> (the student) and <c>clip_decoder.*</c>
    /// (the alignment heads, reused as in the reference) are loaded; every student key must be
    /// there with its shape. Null or empty: a randomly initialised student (smoke runs).
    /// </summary>
    public string? From { get; set; }

    /// <summary>Width E of the joint video–text space (<c>embed_dim</c>: 512 for B/16, 768 for L/16).</summary>
    [Range(1, 65536)]
    public int EmbedDim { get; set; } = 512;

    /// <summary>Initial contrastive temperature (<c>temp</c>); it is learnt and clamped to [0.001, 0.5] every step.</summary>
    [Range(0.001, 0.5)]
    public double Temperature { get; set; } = 0.07;
}
