using Serilog;
using TorchSharp;
using TorchSharp.Modules;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.Teachers;
using Umt.Models.Student;
using Umt.Models.Weights;
using Umt.Runner.Composition;
using static TorchSharp.torch;

namespace Umt.Runner.Training;

/// <summary>
/// Everything a run trains or consults, created from a <see cref="RunPlan"/> and owned here
/// (modules hold native memory and are disposed with the run): the student encoder, the
/// objectives and their heads, the teacher and the masking strategy. Checkpoint keys are the
/// reference's: the student under <c>encoder.</c>, each head under its objective's prefix.
/// </summary>
public sealed class TrainingModel : IDisposable
{
    public const string StudentPrefix = "encoder.";

    private TrainingModel(VideoVisionTransformer student, ITeacher? teacher, IMaskingStrategy masking, IReadOnlyList<ActiveObjective> objectives)
    {
        Student = student;
        Teacher = teacher;
        Masking = masking;
        Objectives = objectives;
    }

    public VideoVisionTransformer Student { get; }

    public ITeacher? Teacher { get; }

    public IMaskingStrategy Masking { get; }

    public IReadOnlyList<ActiveObjective> Objectives { get; }

    /// <summary>Builds the run's objects; initialisation is seeded by <c>Umt:Run:Seed</c>.</summary>
    public static TrainingModel Create(RunPlan plan, ILogger log)
    {
        torch.manual_seed(plan.Run.Seed);
        var context = plan.PluginContext(log);
        var student = new VideoVisionTransformer(plan.StudentConfig);
        student.to(plan.Device);
        ITeacher? teacher = plan.Teacher is { } t ? ((ITeacherFactory)t.Entry.Factory).Create(t.Options, context) : null;
        var masking = ((IMaskingStrategyFactory)plan.Masking.Entry.Factory).Create(plan.Masking.Options, context);
        var objectives = new List<ActiveObjective>();
        foreach (var selection in plan.Objectives)
        {
            var objective = ((IObjectiveFactory)selection.Entry.Factory).Create(selection.Options, context, plan.TeacherTraits?.OutputWidth);
            objective.Head?.to(plan.Device);
            objectives.Add(new ActiveObjective(selection, objective));
        }
        return new TrainingModel(student, teacher, masking, objectives);
    }

    /// <summary>Modules whose parameters are trained, with their checkpoint prefixes.</summary>
    public IEnumerable<(string Prefix, nn.Module Module)> TrainedModules()
    {
        yield return (StudentPrefix, Student);
        foreach (var active in Objectives)
        {
            if (active.Objective.Head is { } head)
            {
                yield return (active.Objective.CheckpointPrefix + ".", head);
            }
        }
    }

    /// <summary>Trainable parameters with their checkpoint names, in a fixed order.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters() =>
        TrainedModules().SelectMany(m => m.Module.named_parameters().Select(p => (m.Prefix + p.name, p.parameter))).ToList();

    /// <summary>State of every trained module under checkpoint keys (tensors are the live ones: copy before mutating).</summary>
    public Dictionary<string, Tensor> StateDict() =>
        TrainedModules().SelectMany(m => m.Module.state_dict().Select(kv => (m.Prefix + kv.Key, kv.Value))).ToDictionary(kv => kv.Item1, kv => kv.Item2);

    /// <summary>Loads a checkpoint's model tensors; one error lists every missing, unexpected and wrong-shaped key.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var unexpected = tensors.Keys.Where(k => !TrainedModules().Any(m => k.StartsWith(m.Prefix, StringComparison.Ordinal))).ToList();
        if (unexpected.Count > 0)
        {
            throw new InvalidDataException($"The checkpoint holds keys no module of this run owns: {string.Join(", ", unexpected)}.");
        }
        foreach (var (prefix, module) in TrainedModules())
        {
            var own = tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
            StateDictLoader.Load(module, own);
        }
    }

    /// <summary>Training mode for the trained modules (drop-path on); the teacher stays frozen.</summary>
    public void Train()
    {
        foreach (var (_, module) in TrainedModules())
        {
            module.train();
        }
    }

    public void Dispose()
    {
        foreach (var active in Objectives)
        {
            active.Objective.Dispose();
        }
        Teacher?.Dispose();
        (Masking as IDisposable)?.Dispose();
        Student.Dispose();
    }
}
