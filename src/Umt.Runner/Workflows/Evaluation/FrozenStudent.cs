using TorchSharp;
using Umt.Models.Student;
using Umt.Models.Weights;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Training;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Evaluation;

/// <summary>
/// A trained student read back from a checkpoint for evaluation: the plan's geometry, the
/// checkpoint's <c>encoder.*</c> weights, eval mode, no gradient, every token visible. Shared by
/// <c>umt extract</c> and <c>umt eval probe</c>, so both see the same features.
/// </summary>
public sealed class FrozenStudent : IDisposable
{
    private readonly VideoVisionTransformer student;
    private readonly RunPlan plan;

    private FrozenStudent(VideoVisionTransformer student, RunPlan plan)
    {
        this.student = student;
        this.plan = plan;
    }

    public static FrozenStudent Load(RunPlan plan, string modelFile)
    {
        var student = new VideoVisionTransformer(plan.StudentConfig);
        using (var scope = NewDisposeScope())
        {
            StateDictLoader.Load(student, SafetensorsFile.Read(modelFile), TrainingModel.StudentPrefix);
        }
        student.to(plan.Device);
        student.eval();
        return new FrozenStudent(student, plan);
    }

    /// <summary>The last block's tokens after the final LayerNorm, <c>[b, N, D]</c>, for clips <c>[b, 3, T, H, W]</c>.</summary>
    public Tensor Tokens(Tensor video)
    {
        using var noGrad = no_grad();
        var mask = zeros([video.shape[0], plan.Student.Grid.Count], ScalarType.Bool, plan.Device); // [b, N], nothing hidden
        int last = plan.Student.Depth - 1;
        return student.ForwardVisible(video, mask, [last], null)[last];                            // [b, N, D]
    }

    /// <summary>One vector per clip: the mean of <see cref="Tokens"/>, <c>[b, D]</c>.</summary>
    public Tensor Pooled(Tensor video) => Tokens(video).mean([1]);

    public void Dispose() => student.Dispose();
}
