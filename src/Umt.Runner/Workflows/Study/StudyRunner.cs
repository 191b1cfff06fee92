using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Teachers;
using Umt.Models.Weights;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Logging;
using Umt.Runner.Engine.Model;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Engine.Training;
using Umt.Runner.Workflows.Mechanism;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Study;

/// <summary>
/// Runs the study: per seed, every method trained with the same data and budget and probed at
/// every kept checkpoint, the untrained floor probed and the mechanism check measured; the frozen
/// teacher (the ceiling) probed once. Seed 0 finishes completely before seed 1 starts, so an
/// interrupted study still has whole seeds behind it in its run folders.
/// </summary>
/// <param name="progress">The study's parts (trained and probed runs, floors, the ceiling, mechanism checks) as one count; each part's own loops show under it where the display allows (<see cref="ProgressRenderer.Inner"/>).</param>
public sealed class StudyRunner(ServicesBuilder build, StudySettings settings, string outputDirectory, ProgressRenderer progress)
{
    /// <summary>The clips with a small object are about half of the synthetic clips; the mechanism split holds this many times the clips it needs.</summary>
    private const int MechanismSplitFactor = 4;

    private readonly Stopwatch clock = new();
    private IProgressCounter? study;
    private long partsDone;

    /// <param name="seedDone">Called with the results of the seeds done so far after each seed, so a study cut short still leaves a report of its whole seeds.</param>
    public StudyResults Run(Action<StudyResults> seedDone, CancellationToken cancel)
    {
        clock.Restart();
        long parts = 1 + settings.Seeds * (StudyRuns.All.Count + 1 + StudyRuns.Distillations.Count);
        using var counter = study = progress.Start("compare", parts, "parts");
        var runs = new List<RunOutcome>();
        var references = new List<ReferenceOutcome> { Ceiling(cancel) };
        var mechanism = new List<MechanismOutcome>();
        StudyResults? results = null;
        for (long seed = 0; seed < settings.Seeds; seed++)
        {
            foreach (var run in StudyRuns.All)
            {
                runs.Add(TrainAndProbe(run, seed, cancel));
            }
            references.Add(Floor(seed, cancel));
            mechanism.AddRange(StudyRuns.Distillations.Select(run => Mechanism(run, seed)));
            results = StudyResults.Summarise(settings, (int)seed + 1, clock.Elapsed.TotalSeconds, [.. runs], [.. references], [.. mechanism]);
            seedDone(results);
        }
        return results!;
    }

    /// <summary>Folder of one method's run with one seed.</summary>
    public static string RunFolder(string outputDirectory, string name, long seed) =>
        Path.Combine(outputDirectory, "runs", string.Create(CultureInfo.InvariantCulture, $"{name}-seed{seed}"));

    private RunOutcome TrainAndProbe(StudyRun run, long seed, CancellationToken cancel)
    {
        string folder = RunFolder(outputDirectory, run.Name, seed);
        CommonArguments Arguments(CommonArguments user) => run.Arguments(user, settings, seed, folder);
        var services = build(Arguments);
        var plan = services.GetRequiredService<RunPlan>();
        Progress($"{run.Name} seed {seed}: training {settings.Steps} steps → {folder}");
        var started = DateTimeOffset.UtcNow;
        TrainingResult result;
        using (var log = SerilogSetup.Create(services.GetRequiredService<IConfiguration>(), plan.OutputDirectory, metricsOnConsole: false))
        {
            result = new Trainer(plan, log).Run(resume: false, progress.Inner, stopAfter: null, cancel);
        }
        cancel.ThrowIfCancellationRequested();
        Progress(string.Create(CultureInfo.InvariantCulture, $"{run.Name} seed {seed}: {result.SecondsPerStep:F3} s/step; probing {settings.ProbePoints} checkpoints"));

        var probe = new StudyProbe(build, Arguments, settings, progress.Inner);
        var points = new List<ProbePoint>();
        foreach (var checkpoint in Checkpoints(folder))
        {
            double wallSeconds = (checkpoint.State.WrittenAt - started).TotalSeconds;
            points.Add(new ProbePoint(checkpoint.State.Step, wallSeconds, probe.Student(checkpoint.ModelFile, cancel)));
        }
        PartDone($"{run.Name} seed {seed}: trained and probed");
        return new RunOutcome(run.Name, seed, result.EndStep, result.Elapsed.TotalSeconds, result.SecondsPerStep, result.Losses, points);
    }

    /// <summary>The run's kept checkpoints in step order (every probe point: KeepCheckpoints is their count).</summary>
    private static IEnumerable<CheckpointInfo> Checkpoints(string runFolder) =>
        Directory.GetDirectories(runFolder)
            .Where(d => File.Exists(Path.Combine(d, CheckpointStore.StateFile)) && File.Exists(Path.Combine(d, CheckpointStore.ModelFile)))
            .Select(d => new CheckpointInfo(d, JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(d, CheckpointStore.StateFile)))!))
            .OrderBy(c => c.State.Step);

    /// <summary>The student as the seed initialises it (TrainingModel.Create, as every UMT run of this seed starts), written as step 0 and probed.</summary>
    private ReferenceOutcome Floor(long seed, CancellationToken cancel)
    {
        string folder = RunFolder(outputDirectory, "floor", seed);
        var probe = new StudyProbe(build, user => StudyRuns.Semantic.Arguments(user, settings, seed, folder), settings, progress.Inner);
        Progress($"{StudyRuns.Floor} seed {seed}: probing");
        Directory.CreateDirectory(folder);
        string modelFile = Path.Combine(folder, CheckpointStore.ModelFile);
        using (var scope = NewDisposeScope())
        using (var model = TrainingModel.Create(probe.Train, probe.Log, withTeacher: false))
        {
            SafetensorsFile.Write(modelFile, model.StateDict());
        }
        var floor = new ReferenceOutcome(StudyRuns.Floor, seed, probe.Student(modelFile, cancel));
        PartDone($"{StudyRuns.Floor} seed {seed}: probed");
        return floor;
    }

    /// <summary>The frozen tiny-clip teacher: its last block's patch tokens averaged over patches and frames, one vector per clip.</summary>
    private ReferenceOutcome Ceiling(CancellationToken cancel)
    {
        var probe = new StudyProbe(build, user => StudyRuns.Semantic.Arguments(user, settings, 0, RunFolder(outputDirectory, "ceiling", 0)), settings, progress.Inner);
        Progress($"{StudyRuns.Ceiling}: probing");
        using var teacher = CreateTeacher(probe.Train, probe.Log);
        int last = probe.Train.TeacherTraits!.Depth - 1;
        var ceiling = new ReferenceOutcome(StudyRuns.Ceiling, null,
            probe.Features(video => teacher.Encode(video, [last], withAttention: false).Features[0].mean([1]), cancel)); // [K=1, b, N, C] → [b, C]
        PartDone($"{StudyRuns.Ceiling}: probed");
        return ceiling;
    }

    /// <summary>Visible-token enrichment in the object's box of one UMT masking on held-out clips with small objects.</summary>
    private MechanismOutcome Mechanism(StudyRun run, long seed)
    {
        var services = build(user => StudyProbe.Split(run.Arguments(user, settings, seed, RunFolder(outputDirectory, run.Name, seed)),
            "test", settings.MechanismClips * MechanismSplitFactor));
        var plan = services.GetRequiredService<RunPlan>();
        var log = services.GetRequiredService<ILogger>();
        using var teacher = plan.MaskingTraits.NeedsTeacherAttention ? CreateTeacher(plan, log) : null;
        var masking = ((IMaskingStrategyFactory)plan.Masking.Entry.Factory).Create(plan.Masking.Options, plan.PluginContext(log));
        using var dataset = plan.CreateDataset(log);
        var result = VisibleTokenEnrichment.Measure(dataset, plan.Student.Grid, plan.Student.Frames, plan.Student.ImageSize, masking,
            teacher, plan.TeacherTraits?.Depth ?? 0, seed, settings.MechanismClips, plan.Device);
        PartDone(string.Create(CultureInfo.InvariantCulture, $"mechanism {plan.Masking.Entry.Name} seed {seed}: enrichment {result.Mean:F3} over {result.Clips} clips"));
        return new MechanismOutcome(run.Name, plan.Masking.Entry.Name, seed, result.Mean, result.Clips);
    }

    private static ITeacher CreateTeacher(RunPlan plan, ILogger log) => plan.Teacher is { } teacher
        ? ((ITeacherFactory)teacher.Entry.Factory).Create(teacher.Options, plan.PluginContext(log))
        : throw new InvalidOperationException("The UMT runs of the study need a teacher (Umt:Teacher:Use); it is 'none'.");

    /// <summary>What the study is doing now, beside the count of parts done.</summary>
    private void Progress(string line) => study?.Report(partsDone, line);

    private void PartDone(string line) => study?.Report(++partsDone, line);
}
