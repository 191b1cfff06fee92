using Umt.Abstractions.Objectives;
using Umt.Models.Alignment;
using static TorchSharp.torch;

namespace Umt.Plugins.Objectives.UmtAlignment;

/// <summary>
/// Unmasked token alignment (umt-method.md §2.4, the reference's <c>clip_loss_type='l2'</c>): the
/// student's predictions z and the teacher's targets t, both unit length, compared on the
/// visible tokens only; loss = mean over layers, clips and visible tokens of <c>2 − 2⟨z, t⟩</c>,
/// the squared distance of unit vectors, summed (not averaged) over channels.
/// </summary>
internal sealed class UmtAlignmentObjective(AlignmentHeads heads, IReadOnlyList<int> studentBlocks) : IObjective
{
    /// <summary>The reference's key prefix of the heads.</summary>
    public const string Prefix = "clip_decoder";

    public nn.Module? Head => heads;

    public string? CheckpointPrefix => Prefix;

    public Tensor ComputeLoss(ObjectiveContext context)
    {
        var teacher = context.Teacher?.Features
            ?? throw new InvalidOperationException("umt-alignment needs teacher features; the runner passed none.");
        var blocks = studentBlocks.Select(b => context.StudentBlocks[b]).ToList();        // K × [B, Nv, D]

        // 1. student predictions of the visible tokens
        var predictions = heads.Forward(blocks, context.Selection);                       // [K, B, Nv, C]

        // 2. the teacher's targets at the same tokens: one gather for all K layers (the selection indexes each alike)
        var targets = context.Selection.Visible(teacher);                                 // [K, B, Nv, C]  ascending tokens per clip

        // 3. 2 − 2cos, averaged over (K, B, Nv)
        var cosine = (predictions * targets).sum(-1);                                    // [K, B, Nv]
        return (2 - 2 * cosine).mean();                                                   // []
    }

    public void Dispose() => heads.Dispose();
}
