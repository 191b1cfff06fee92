using Umt.Runner.Engine.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.Evaluation;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Study;

/// <summary>
/// The probe of one method's geometry: the synthetic train split (fit) and held-out test split
/// (score) as the method's run plans see them, so a 16-frame baseline is probed on 16-frame clips.
/// Linear probe and k-NN on every label set (<c>umt eval probe</c>'s <see cref="ProbeEvaluation"/>).
/// </summary>
public sealed class StudyProbe
{
    private readonly int neighbours;
    private readonly ProgressRenderer progress;

    /// <param name="runArguments">The method's arguments for one seed (<see cref="StudyRun.Arguments"/>).</param>
    /// <param name="progress">Where reading the splits is shown.</param>
    public StudyProbe(ServicesBuilder build, Func<CommonArguments, CommonArguments> runArguments, StudySettings settings, ProgressRenderer progress)
    {
        this.progress = progress;
        var trainServices = build(a => Split(runArguments(a), "train", settings.ProbeTrain));
        Train = trainServices.GetRequiredService<RunPlan>();
        Log = trainServices.GetRequiredService<ILogger>();
        Test = build(a => Split(runArguments(a), "test", settings.ProbeTest)).GetRequiredService<RunPlan>();
        neighbours = settings.Neighbours;
    }

    /// <summary>The fitting split's plan: the method's student geometry, seed and teacher.</summary>
    public RunPlan Train { get; }

    /// <summary>The held-out split's plan (eval mode), the probes' scoring split.</summary>
    public RunPlan Test { get; }

    public ILogger Log { get; }

    /// <summary>Probes a student checkpoint.</summary>
    public IReadOnlyList<ProbeScores> Student(string modelFile, CancellationToken cancel)
    {
        using var student = FrozenStudent.Load(Train, modelFile);
        return Features(student.Pooled, cancel);
    }

    /// <summary>Probes any frozen encoder: <paramref name="pooled"/> maps clips <c>[b, 3, T, H, W]</c> to <c>[b, D]</c>.</summary>
    public IReadOnlyList<ProbeScores> Features(Func<Tensor, Tensor> pooled, CancellationToken cancel) =>
        [.. new ProbeEvaluation(pooled, Log, progress).Run(Train, Test, labelSet: null, neighbours, cancel)
            .Select(r => new ProbeScores(r.LabelSet, r.Classes, r.Linear.Top1, r.Linear.Top5, r.Knn.Top1))];

    /// <summary>The method's arguments with the synthetic dataset pointed at one split of <paramref name="clips"/> clips.</summary>
    public static CommonArguments Split(CommonArguments arguments, string split, int clips) => arguments with
    {
        Sets = [.. arguments.Sets, .. new RunOverrides().SyntheticSplit(split, clips).Sets],
    };
}
