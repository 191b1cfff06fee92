using Serilog;
using TorchSharp;
using TorchSharp.Modules;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.Teachers;
using Umt.Abstractions.TextEncoders;
using Umt.Models.Student;
using Umt.Models.VisionLanguage;
using Umt.Models.Weights;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Data;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Model;

/// <summary>
/// Everything a run trains or consults, created from a <see cref="RunPlan"/> and owned here
/// (modules hold native memory and are disposed with the run): the student encoder, the
/// objectives and their heads, the teacher and the masking strategies, and in stage 2 the text
/// encoder and the shared vision-language heads. Checkpoint keys are the reference's: the student
/// under <c>encoder.</c>, each head under its objective's prefix, the text encoder under
/// <c>text_encoder.</c>, and <c>pool_norm</c>/<c>vision_proj</c>/<c>text_proj</c>/<c>temp</c> at the top level.
/// </summary>
public sealed class TrainingModel : IDisposable
{
    public const string StudentPrefix = "encoder.";

    public const string TextEncoderPrefix = "text_encoder.";

    private TrainingModel(VideoVisionTransformer student, ITeacher? teacher, IReadOnlyList<StreamMasking> maskings,
        IReadOnlyList<ActiveObjective> objectives, ITextEncoder? textEncoder, VisionLanguageHeads? visionLanguage)
    {
        Student = student;
        Teacher = teacher;
        Maskings = maskings;
        Objectives = objectives;
        TextEncoder = textEncoder;
        VisionLanguage = visionLanguage;
    }

    public VideoVisionTransformer Student { get; }

    public ITeacher? Teacher { get; }

    /// <summary>The masking of each of the plan's streams, in its order (<see cref="RunPlan.Streams"/>); streams configured with the same masking share one object.</summary>
    public IReadOnlyList<StreamMasking> Maskings { get; }

    /// <summary>The video stream's masking.</summary>
    public IMaskingStrategy Masking => Maskings[0].Strategy;

    public IReadOnlyList<ActiveObjective> Objectives { get; }

    /// <summary>The text encoder of stage 2, or null.</summary>
    public ITextEncoder? TextEncoder { get; }

    /// <summary><c>pool_norm</c>, the projections and the temperature of stage 2; present exactly when <see cref="TextEncoder"/> is.</summary>
    public VisionLanguageHeads? VisionLanguage { get; }

    /// <summary>Builds the run's objects; initialisation is seeded by <c>Umt:Run:Seed</c>.</summary>
    /// <param name="withTeacher">False: leave the frozen teacher out (it holds no trained weight; <c>umt convert</c> needs only the trained modules' shapes).</param>
    public static TrainingModel Create(RunPlan plan, ILogger log, bool withTeacher = true)
    {
        torch.manual_seed(plan.Run.Seed);
        var context = plan.PluginContext(log);
        var student = new VideoVisionTransformer(plan.StudentConfig);
        student.to(plan.Device);
        ITeacher? teacher = withTeacher && plan.Teacher is { } t ? ((ITeacherFactory)t.Entry.Factory).Create(t.Options, context) : null;
        var strategies = new Dictionary<SelectedPlugin, IMaskingStrategy>(ReferenceEqualityComparer.Instance);
        var maskings = plan.Streams.Select(stream => new StreamMasking(stream.Name, stream.Grid,
            strategies.TryGetValue(stream.Masking, out var shared) ? shared : strategies[stream.Masking] = CreateMasking(stream.Masking, context), stream.MaskingTraits)).ToList();
        var objectives = new List<ActiveObjective>();
        foreach (var selection in plan.Objectives)
        {
            var objective = ((IObjectiveFactory)selection.Entry.Factory).Create(selection.Options, context, plan.TeacherTraits?.OutputWidth);
            objective.Head?.to(plan.Device);
            objectives.Add(new ActiveObjective(selection, objective));
        }
        ITextEncoder? textEncoder = null;
        VisionLanguageHeads? heads = null;
        if (plan.TextEncoder is { } text)
        {
            textEncoder = ((ITextEncoderFactory)text.Entry.Factory).Create(text.Options, context);
            textEncoder.Module.to(plan.Device);
            heads = new VisionLanguageHeads(plan.Student.Width, textEncoder.Traits.Width, plan.Stage2.EmbedDim, plan.Stage2.Temperature);
            heads.to(plan.Device);
        }
        return new TrainingModel(student, teacher, maskings, objectives, textEncoder, heads);
    }

    private static IMaskingStrategy CreateMasking(SelectedPlugin selection, Abstractions.Composition.PluginContext context) =>
        ((IMaskingStrategyFactory)selection.Entry.Factory).Create(selection.Options, context);

    /// <summary>Modules whose parameters are trained, with their checkpoint prefixes.</summary>
    public IEnumerable<(string Prefix, nn.Module Module)> TrainedModules()
    {
        yield return (StudentPrefix, Student);
        foreach (var active in Objectives)
        {
            if (active.Objective.Head is { } head)
            {
                yield return (active.CheckpointPrefix + ".", head);
            }
        }
        if (TextEncoder is not null)
        {
            yield return (TextEncoderPrefix, TextEncoder.Module);
        }
        if (VisionLanguage is not null)
        {
            yield return ("", VisionLanguage);
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
        var owned = StateDict().Keys.ToHashSet(StringComparer.Ordinal);
        var unexpected = tensors.Keys.Where(k => !owned.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0)
        {
            throw new InvalidDataException($"The checkpoint holds keys no module of this run owns: {string.Join(", ", unexpected)}.");
        }
        foreach (var (prefix, module) in TrainedModules())
        {
            StateDictLoader.Load(module, StateDictLoader.OwnEntries(module, tensors, prefix), prefix);
        }
    }

    /// <summary>Training mode for the trained modules (drop-path, dropout on); the teacher stays frozen.</summary>
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
        foreach (var strategy in Maskings.Select(m => m.Strategy).Distinct(ReferenceEqualityComparer.Instance))
        {
            (strategy as IDisposable)?.Dispose();
        }
        TextEncoder?.Dispose();
        VisionLanguage?.Dispose();
        Student.Dispose();
    }
}
