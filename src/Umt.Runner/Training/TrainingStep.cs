using Umt.Abstractions.Datasets;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Runner.Composition;
using static TorchSharp.torch;

namespace Umt.Runner.Training;

/// <summary>Losses of one forward pass: the weighted total and each objective's unweighted value.</summary>
public sealed record StepLosses(Tensor Total, IReadOnlyDictionary<string, Tensor> PerObjective);

/// <summary>
/// The forward half of a training step (architecture.md, "The training step"):
/// teacher (no grad) → mask → student on the visible tokens → objectives → weighted sum.
/// Everything stays on the run's device; the caller owns the dispose scope and the backward.
/// </summary>
public sealed class TrainingStep(TrainingModel model, RunPlan plan)
{
    /// <summary>Keyed-randomness purpose of the student's per-sample drop-path draws.</summary>
    public const string DropPathPurpose = "drop-path";

    public StepLosses Forward(VideoBatch batch)
    {
        // 1. teacher: targets for the aligned layers and, for semantic masking, its attention
        var teacher = model.Teacher?.Encode(batch.Video, plan.TeacherLayers, plan.MaskingTraits.NeedsTeacherAttention);

        // 2. mask [B, N], true = hidden, made on the device from per-sample keyed draws
        var mask = model.Masking.CreateMask(new MaskingInput(plan.Student.Grid, batch.Keys, plan.Device, teacher?.Attention));

        // 3. student on the visible tokens only; drop-path decided per sample from its key
        var dropPath = plan.StudentConfig.DropPath > 0
            ? batch.Keys.Uniform(DropPathPurpose, [plan.Student.Depth, 2], plan.Device) // [B, depth, 2]: attention and MLP branch of each block
            : null;
        var blocks = model.Student.ForwardVisible(batch.Video, mask, plan.StudentBlocks, dropPath); // block → [B, Nv, D]

        // 4. objectives, summed with their weights
        var context = new ObjectiveContext { Batch = batch, Mask = mask, Grid = plan.Student.Grid, StudentBlocks = blocks, Teacher = teacher };
        var losses = new Dictionary<string, Tensor>();
        Tensor? total = null;
        foreach (var active in model.Objectives)
        {
            var loss = active.Objective.ComputeLoss(context); // []
            losses[active.Name] = loss;
            var weighted = active.Weight == 1.0 ? loss : loss * active.Weight;
            total = total is null ? weighted : total + weighted;
        }
        return new StepLosses(total!, losses);
    }
}
