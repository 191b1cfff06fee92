using TorchSharp.Modules;
using Umt.Abstractions.Geometry;
using Umt.Models.Layers;
using Umt.Models.Student;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// The fine-tuning model: the pretrained student with every token visible, the mean over its
/// tokens, and a <see cref="ClassificationHead"/>. Checkpoint keys: the student under
/// <c>encoder.</c> (as every checkpoint of this project, so <c>umt extract</c> and
/// <c>umt eval probe</c> read a fine-tuned file too), the head's <c>fc_norm.*</c> and <c>head.*</c>
/// at the top level, as the reference's fine-tuned checkpoints.
/// </summary>
/// <remarks>
/// The reference's fine-tuning ViT (modeling_finetune.py) replaces the encoder's final
/// <c>norm</c> by the identity under mean pooling and normalises the pooled vector with its own
/// <c>fc_norm</c> instead. Our student applies its final norm to every block output it returns,
/// so the classifier runs the student's embedding and blocks itself and leaves that norm out;
/// the norm's pretrained weights stay in the file untouched (frozen), for the frozen-feature tools.
/// </remarks>
public sealed class VideoClassifier : StudentWithHead<ClassificationHead>
{
    private const string StudentNormPrefix = "norm.";

    private readonly ModuleList<Block> blocks;

    private VideoClassifier(VideoVisionTransformer student, ClassificationHead head, Device device) : base(student, head, device)
    {
        blocks = (ModuleList<Block>)student.named_children().Single(c => c.name == "blocks").module;
    }

    /// <summary>A student of <paramref name="config"/> with the checkpoint's <c>encoder.*</c> weights, and a fresh head, on <paramref name="device"/>.</summary>
    /// <param name="pretrainedGrid">
    /// The checkpoint's token grid where known: a different one gets its position table resized to
    /// <paramref name="config"/>'s grid (<see cref="VideoVisionTransformer(StudentConfig, TokenGrid?)"/>).
    /// It stays fixed, as in the reference, whose fine-tuning model makes the resized table an
    /// <c>nn.Parameter</c> but adds it <c>.clone().detach()</c>ed in <c>forward_features</c>
    /// (modeling_finetune.py), so no gradient or weight decay ever reaches it.
    /// </param>
    public static VideoClassifier FromCheckpoint(StudentConfig config, string modelFile, int classes, double headDropout, double initScale, Device device, TokenGrid? pretrainedGrid = null)
    {
        var student = PretrainedStudent.Load(config, modelFile, pretrainedGrid);
        foreach (var (name, parameter) in student.named_parameters())
        {
            // The final norm is not on the fine-tuning path (see remarks): no gradient, no optimizer state.
            parameter.requires_grad = !name.StartsWith(StudentNormPrefix, StringComparison.Ordinal);
        }
        return new VideoClassifier(student, new ClassificationHead(config.Width, classes, headDropout, initScale), device);
    }

    /// <param name="video">Clips <c>[B, 3, T, H, W]</c>.</param>
    /// <param name="dropPathNoise">Uniform draws <c>[B, depth, 2]</c> for drop-path in training, or null.</param>
    /// <returns>Logits <c>[B, classes]</c>.</returns>
    public Tensor Logits(Tensor video, Tensor? dropPathNoise)
    {
        var x = Student.Embed(video);                              // [B, N, D], every token visible
        for (int i = 0; i < blocks.Count; i++)
        {
            x = blocks[i].call(x, dropPathNoise?.select(1, i));    // [B, N, D]
        }
        return Head.call(x.mean([1]));                             // [B, classes]
    }
}
