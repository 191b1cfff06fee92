using Umt.Abstractions.Geometry;
using Umt.Models.Student;
using Umt.Models.Weights;
using Umt.Runner.Engine.Model;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>The student every fine-tune starts from: built for the fine-tuning geometry, with a checkpoint's <c>encoder.*</c> weights.</summary>
public static class PretrainedStudent
{
    /// <param name="pretrainedGrid">
    /// The checkpoint's token grid where known: a different one gets its position table resized to
    /// <paramref name="config"/>'s grid (<see cref="VideoVisionTransformer(StudentConfig, TokenGrid?)"/>).
    /// </param>
    /// <param name="load">False: keep the random initialisation (an untrained baseline of the same geometry).</param>
    public static VideoVisionTransformer Load(StudentConfig config, string modelFile, TokenGrid? pretrainedGrid, bool load = true)
    {
        var student = new VideoVisionTransformer(config, pretrainedGrid);
        if (load)
        {
            using var scope = NewDisposeScope();
            StateDictLoader.Load(student, SafetensorsFile.Read(modelFile), TrainingModel.StudentPrefix);
        }
        return student;
    }
}
