using Umt.Abstractions.Datasets;
using Umt.Abstractions.Distributed;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Training;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Step;

/// <summary>Losses of one forward pass: the weighted total and each objective's unweighted value.</summary>
public sealed record StepLosses(Tensor Total, IReadOnlyDictionary<string, Tensor> PerObjective);

/// <summary>Shapes one forward pass actually produced, for the run log (the reference's users debug grid mismatches by these).</summary>
/// <param name="Mask">Mask shape <c>[B, N]</c>.</param>
/// <param name="VisiblePerClip">Visible tokens Nv of the first clip.</param>
/// <param name="TeacherFeatures">Teacher features <c>[K, B, N, C]</c>, or null without a teacher.</param>
/// <param name="TeacherAttention">Teacher attention <c>[B·T, P]</c>, or null when masking did not ask for it.</param>
public sealed record StepShapes(long[] Mask, long VisiblePerClip, long[]? TeacherFeatures, long[]? TeacherAttention)
{
    /// <summary>Aligned targets after masking, <c>[K, B, Nv, C]</c>.</summary>
    public long[]? VisibleTargets => TeacherFeatures is { } f ? [f[0], f[1], VisiblePerClip, f[3]] : null;
}

/// <summary>The phases of one optimizer step, in the order they run (<c>umt bench</c> reports each).</summary>
public enum StepPhase
{
    /// <summary>The frozen teacher on the whole clips (no grad): targets and, for semantic masking, attention.</summary>
    TeacherForward,

    /// <summary>The mask, and the step's shape bookkeeping that reads it.</summary>
    Masking,

    /// <summary>Drop-path draws and the student on the visible tokens.</summary>
    StudentForward,

    /// <summary>Stage 2: tokenizing the captions, the text layers, pooling and both projections.</summary>
    TextForward,

    /// <summary>Every objective's loss (heads included) and the weighted sum.</summary>
    ObjectivesForward,

    /// <summary>The loss read-back and finiteness check, then autograd's backward.</summary>
    Backward,

    /// <summary>Averaging the gradients over the processes of a data-parallel job (not marked in a single process, which has none).</summary>
    GradientAllReduce,

    /// <summary>Gradient clipping, AdamW and zeroing the gradients.</summary>
    Optimizer,

    /// <summary>Freeing the step's tensors (its dispose scope), then the collection that runs the finalizers of what the step dropped (<see cref="NativeGarbage"/>).</summary>
    StepCleanup,
}

/// <summary>
/// Receives phase boundaries of the training step, for <c>umt bench</c>'s breakdown. Training passes
/// none (the step then pays one null check per phase). Marks are laps: each
/// <see cref="PhaseEnded"/> closes the span since the previous mark. On the CPU a mark needs no
/// sync (every call returns when its work is done); on CUDA the work is only queued at a mark, so
/// a recorder must synchronise the device before reading its clock, or a phase's kernels are
/// billed to the next phase that waits for a result (the benchmark's recorder does).
/// </summary>
public interface IStepPhaseRecorder
{
    /// <summary>An optimizer step begins: the previous step's laps are closed and cleared.</summary>
    void StepStarted();

    /// <summary>Restarts the lap without recording it: the time since the previous mark belongs to no phase (the batch's upload).</summary>
    void Restart();

    /// <summary>The time since the previous mark belongs to <paramref name="phase"/> (summed when a phase recurs, as with accumulated micro-batches).</summary>
    void PhaseEnded(StepPhase phase);
}

/// <summary>
/// The forward half of a training step (architecture.md, "The training step"):
/// teacher (no grad) → mask → student on the visible tokens → (stage 2: text layers and
/// projections) → objectives → weighted sum.
/// Everything stays on the run's device; the caller owns the dispose scope and the backward.
/// </summary>
/// <param name="phases">Phase boundaries for the benchmark; null in training.</param>
/// <param name="collectives">The job's processes, handed to the objectives (VTC gathers over them); one process by default.</param>
public sealed class TrainingStep(TrainingModel model, RunPlan plan, IStepPhaseRecorder? phases = null, ICollectives? collectives = null)
{
    /// <summary>Keyed-randomness purpose of the student's per-sample drop-path draws.</summary>
    public const string DropPathPurpose = "drop-path";

    /// <summary>Shapes of the first forward pass, for the run log; null before it. Read once: counting the visible tokens is a device sync.</summary>
    public StepShapes? FirstShapes { get; private set; }

    public StepLosses Forward(VideoBatch batch)
    {
        // An image batch (the reference's MetaLoader alternates them with video batches in stage 2)
        // is a one-frame clip: one token slot per image, and its own masking (ratio 0.5 there).
        var grid = new TokenGrid((int)batch.Video.shape[2] / plan.Student.Tubelet, plan.Student.Grid.H, plan.Student.Grid.W);
        var (masking, maskingTraits) = grid.T == plan.Student.Grid.T ? (model.Masking, plan.MaskingTraits) : (model.ImageMasking, plan.ImageMaskingTraits);
        bool needsAttention = maskingTraits.NeedsTeacherAttention;

        // 1. teacher: targets for the aligned layers and, for semantic masking, its attention
        var teacher = plan.TeacherLayers.Count > 0 || needsAttention ? model.Teacher?.Encode(batch.Video, plan.TeacherLayers, needsAttention) : null;
        phases?.PhaseEnded(StepPhase.TeacherForward);

        // 2. mask [B, N], true = hidden, made on the device from per-sample keyed draws
        var mask = masking.CreateMask(new MaskingInput(grid, batch.Keys, plan.Device, teacher?.Attention));

        FirstShapes ??= new StepShapes(mask.shape, mask[0].logical_not().sum().item<long>(), teacher?.Features.shape, teacher?.Attention?.shape);
        phases?.PhaseEnded(StepPhase.Masking);

        // 3. student on the visible tokens only; drop-path decided per sample from its key
        var dropPath = plan.StudentConfig.DropPath > 0
            ? batch.Keys.Uniform(DropPathPurpose, [plan.Student.Depth, 2], plan.Device) // [B, depth, 2]: attention and MLP branch of each block
            : null;
        var blocks = model.Student.ForwardVisible(batch.Video, mask, plan.StudentBlocks, dropPath); // block → [B, Nv, D]
        phases?.PhaseEnded(StepPhase.StudentForward);

        // 3b. stage 2: captions through the text layers, both sides into the joint space, once for every caption objective
        VisionLanguageContext? visionLanguage = null;
        if (model.TextEncoder is { } encoder && model.VisionLanguage is { } heads)
        {
            visionLanguage = VisionLanguageStep.Encode(encoder, heads, batch, blocks[plan.Student.Depth - 1], grid, plan.Device);
            phases?.PhaseEnded(StepPhase.TextForward);
        }

        // 4. objectives, summed with their weights
        var context = new ObjectiveContext
        {
            Batch = batch, Mask = mask, Grid = grid, StudentBlocks = blocks, Teacher = teacher, VisionLanguage = visionLanguage,
            Collectives = collectives ?? SingleProcessCollectives.Instance,
        };
        var losses = new Dictionary<string, Tensor>();
        Tensor? total = null;
        foreach (var active in model.Objectives)
        {
            var loss = active.Objective.ComputeLoss(context); // []
            losses[active.Name] = loss;
            var weighted = active.Weight == 1.0 ? loss : loss * active.Weight;
            total = total is null ? weighted : total + weighted;
        }
        phases?.PhaseEnded(StepPhase.ObjectivesForward);
        return new StepLosses(total!, losses);
    }
}
