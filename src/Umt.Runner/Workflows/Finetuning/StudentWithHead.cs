using TorchSharp;
using TorchSharp.Modules;
using Umt.Models.Student;
using Umt.Runner.Engine.Model;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// A fine-tuning model: the pretrained student and a task head, saved as one checkpoint (the
/// student under <c>encoder.</c>, as every checkpoint of this project, so <c>umt extract</c> and
/// <c>umt eval probe</c> read a fine-tuned file too; the head's keys at the top level, as the
/// reference's fine-tuned checkpoints).
/// </summary>
/// <typeparam name="THead">The task's head module.</typeparam>
public abstract class StudentWithHead<THead> : IDisposable
    where THead : nn.Module<Tensor, Tensor>
{
    /// <summary>Moves both to <paramref name="device"/>.</summary>
    protected StudentWithHead(VideoVisionTransformer student, THead head, Device device)
    {
        Student = student;
        Head = head;
        student.to(device);
        head.to(device);
    }

    public VideoVisionTransformer Student { get; }

    public THead Head { get; }

    /// <summary>Trainable parameters under their checkpoint names.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters() =>
        Student.named_parameters().Select(p => (TrainingModel.StudentPrefix + p.name, p.parameter))
            .Concat(Head.named_parameters().Select(p => (p.name, p.parameter)))
            .Where(p => p.Item2.requires_grad);

    /// <summary>Every tensor of the model under its checkpoint key.</summary>
    public Dictionary<string, Tensor> StateDict() =>
        Student.state_dict().Select(kv => (Key: TrainingModel.StudentPrefix + kv.Key, kv.Value))
            .Concat(Head.state_dict().Select(kv => (kv.Key, kv.Value)))
            .ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Training mode (drop-path and head dropout on) or evaluation mode.</summary>
    public void Train(bool on)
    {
        Student.train(on);
        Head.train(on);
    }

    public void Dispose()
    {
        Head.Dispose();
        Student.Dispose();
        GC.SuppressFinalize(this);
    }
}
