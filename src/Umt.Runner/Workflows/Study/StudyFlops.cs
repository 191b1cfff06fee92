using Umt.Models.Student;
using Umt.Plugins.Objectives.MaePixels;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Workflows.Benchmarks;

namespace Umt.Runner.Workflows.Study;

/// <summary>Approximate floating-point operations of one training step of a method.</summary>
/// <param name="Method">A study method, or <see cref="StudyRuns.SupervisedMethod"/>.</param>
/// <param name="FlopsPerStep">FLOPs of one optimizer step over its whole batch.</param>
/// <param name="Basis">What was counted, for the report.</param>
public sealed record MethodCost(string Method, double FlopsPerStep, string Basis);

/// <summary>
/// FLOP counts from the plans' shapes, a third cost axis beside CPU and wall time that no
/// neighbour on the machine moves. Counted: the transformer blocks' matrix products (qkv,
/// projection, MLP: 2·n·D²·(4 + 2r) per block) and attention (4·n²·D per block), the patch
/// embedding and the pixel head; a multiply-add is 2 FLOPs; a trained part costs 3× its forward
/// (the backward pass is about twice the forward), a frozen teacher 1×. Not counted: norms,
/// softmax, GELU, the loss, the optimizer and the alignment heads (each under a few per cent at
/// these widths). The teacher's blocks are taken at its output width, exact for a teacher whose
/// projection keeps its width.
/// </summary>
public static class StudyFlops
{
    private const double TrainedFactor = 3;

    /// <summary>The cost of a pretraining method from its plan: student on its visible tokens, plus the teacher or the pixel decoder.</summary>
    public static MethodCost Of(string method, RunPlan plan)
    {
        var student = plan.Student;
        double ratio = BareMasking.Of(plan.Masking.Options)?.Ratio
            ?? throw new InvalidOperationException($"The study's FLOP count knows the built-in maskings only; {method} uses '{plan.Masking.Entry.Name}'.");
        int visible = student.Grid.Count - (int)(ratio * student.Grid.Count);
        double perClip = TrainedFactor * Encoder(plan.StudentConfig, visible);
        var parts = new List<string> { $"student on {visible} of {student.Grid.Count} tokens (×3)" };
        if (plan.Objectives is [{ Options: MaePixelsOptions mae }])
        {
            int hidden = student.Grid.Count - visible;
            perClip += TrainedFactor * (Blocks(student.Grid.Count, mae.DecoderWidth, mae.DecoderDepth, 4) + 2.0 * hidden * mae.DecoderWidth * student.PixelsPerToken);
            parts.Add($"decoder {mae.DecoderWidth}×{mae.DecoderDepth} on {student.Grid.Count} tokens (×3)");
        }
        if (plan.TeacherTraits is { } teacher)
        {
            int patches = teacher.GridSide * teacher.GridSide;
            perClip += student.Frames * Blocks(patches, teacher.OutputWidth, teacher.Depth, 4);
            parts.Add($"teacher {teacher.OutputWidth}×{teacher.Depth} on {student.Frames} frames of {patches} patches (×1)");
        }
        return new MethodCost(method, perClip * plan.Schedule.EffectiveBatch, string.Join(", ", parts));
    }

    /// <summary>The supervised reference: the student on every token and a linear head, trained.</summary>
    public static MethodCost Supervised(string method, RunPlan plan) =>
        new(method, TrainedFactor * Encoder(plan.StudentConfig, plan.Student.Grid.Count) * plan.Schedule.EffectiveBatch,
            $"student on all {plan.Student.Grid.Count} tokens (×3)");

    /// <summary>Forward FLOPs of the student's patch embedding and blocks on <paramref name="tokens"/> tokens of one clip.</summary>
    private static double Encoder(StudentConfig student, int tokens) =>
        2.0 * tokens * student.ToSpec().PixelsPerToken * student.Width + Blocks(tokens, student.Width, student.Depth, student.MlpRatio);

    /// <summary>Forward FLOPs of <paramref name="depth"/> pre-norm transformer blocks of width <paramref name="width"/> and MLP ratio <paramref name="mlpRatio"/> on <paramref name="tokens"/> tokens.</summary>
    public static double Blocks(int tokens, int width, int depth, double mlpRatio) =>
        depth * (2.0 * tokens * width * width * (4 + 2 * mlpRatio) + 4.0 * tokens * tokens * width);
}
