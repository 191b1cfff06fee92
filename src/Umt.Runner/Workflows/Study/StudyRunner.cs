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
/// every probe checkpoint, the untrained floor probed, the supervised references trained and
/// probed (for the first <see cref="StudySettings.SupervisedSeedCount"/> seeds), and the mechanism check measured; the frozen teacher (the ceiling) probed once. Seed 0
/// finishes completely before seed 1 starts. Every outcome is handed to <c>recorded</c> as soon as
/// it exists, and an outcome already in the earlier results is not measured again: a study cut
/// short continues where it stopped, a killed training run from its latest checkpoint.
/// </summary>
/// <param name="progress">The study's parts (trained and probed runs, floors, the ceiling, mechanism checks) as one count; each part's own loops show under it where the display allows (<see cref="ProgressRenderer.Inner"/>).</param>
public sealed class StudyRunner(ServicesBuilder build, StudySettings settings, string outputDirectory, ProgressRenderer progress)
{
    /// <summary>The clips with a small object are about half of the synthetic clips; the mechanism split holds this many times the clips it needs.</summary>
    private const int MechanismSplitFactor = 4;

    private readonly Stopwatch clock = new();
    private IProgressCounter? study;
    private long partsDone;

    /// <param name="earlier">What earlier sittings of this study measured (<see cref="StudyResults.Empty"/> for a new study).</param>
    /// <param name="recorded">Called with the results so far after every new outcome, so results.json grows as the study runs.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> stopped the study; the outcomes before it were recorded, a training run keeps its checkpoint.</exception>
    public StudyResults Run(StudyResults earlier, Action<StudyResults> recorded, CancellationToken cancel)
    {
        clock.Restart();
        IReadOnlyList<string> labelSets = settings.Supervised ? LabelSets() : [];
        long parts = 2 + settings.Seeds * (StudyRuns.All.Count + 1 + StudyRuns.Distillations.Count) + settings.SupervisedSeedCount * labelSets.Count;
        using var counter = study = progress.Start("compare", parts, "parts");
        var runs = earlier.Runs.ToList();
        var references = earlier.References.ToList();
        var supervised = earlier.Supervised.ToList();
        var mechanism = earlier.Mechanism.ToList();
        var costs = earlier.Costs.ToList();
        StudyResults Record()
        {
            var results = StudyResults.Summarise(settings, earlier.StudySeconds + clock.Elapsed.TotalSeconds, [.. runs], [.. references], [.. supervised], [.. mechanism], [.. costs]);
            recorded(results);
            return results;
        }
        // Every part counts once, whether measured now or in an earlier sitting.
        void Measure(bool done, Action measure)
        {
            if (!done)
            {
                cancel.ThrowIfCancellationRequested();
                measure();
                Record();
            }
            PartDone(null);
        }

        Measure(references.Any(r => r.Row == StudyRuns.Ceiling), () => references.Add(Ceiling(cancel)));
        Measure(costs.Count > 0, () => costs.AddRange(Costs()));
        for (long seed = 0; seed < settings.Seeds; seed++)
        {
            foreach (var run in StudyRuns.All)
            {
                Measure(runs.Any(r => r.Run == run.Name && r.Seed == seed), () => runs.Add(TrainAndProbe(run, seed, cancel)));
            }
            Measure(references.Any(r => r.Row == StudyRuns.Floor && r.Seed == seed), () => references.Add(Floor(seed, cancel)));
            foreach (string labelSet in seed < settings.SupervisedSeedCount ? labelSets : [])
            {
                Measure(supervised.Any(s => s.LabelSet == labelSet && s.Seed == seed), () => supervised.Add(Supervised(labelSet, seed, cancel)));
            }
            foreach (var run in StudyRuns.Distillations)
            {
                Measure(mechanism.Any(m => m.Run == run.Name && m.Seed == seed), () => mechanism.Add(Mechanism(run, seed)));
            }
        }
        return Record();
    }

    /// <summary>Folder of one method's run with one seed.</summary>
    public static string RunFolder(string outputDirectory, string name, long seed) =>
        Path.Combine(outputDirectory, "runs", string.Create(CultureInfo.InvariantCulture, $"{name}-seed{seed}"));

    private RunOutcome TrainAndProbe(StudyRun run, long seed, CancellationToken cancel)
    {
        string folder = RunFolder(outputDirectory, run.Name, seed);
        CommonArguments Arguments(CommonArguments user) => run.Arguments(user, settings, seed, folder);
        var store = new CheckpointStore(folder);
        if (store.Latest() is { } latest && latest.State.Step >= settings.Steps)
        {
            Progress($"{run.Name} seed {seed}: trained in an earlier sitting ({latest.Directory})");
        }
        else
        {
            var services = build(Arguments);
            var plan = services.GetRequiredService<RunPlan>();
            bool resume = store.HasCheckpoints();
            if (resume)
            {
                DiscardSupersededInterruptions(store, folder);
            }
            Progress($"{run.Name} seed {seed}: {(resume ? "resuming" : "training")} {settings.Steps} steps → {folder}");
            using var log = SerilogSetup.Create(services.GetRequiredService<IConfiguration>(), plan.OutputDirectory, metricsOnConsole: false);
            var result = new Trainer(plan, log).Run(resume ? new ResumeRequest(null) : null, progress.Inner, stopAfter: null, cancel);
            if (result.Interrupted)
            {
                throw new OperationCanceledException($"{run.Name} seed {seed} stopped at step {result.EndStep} with a checkpoint.", cancel);
            }
        }
        var probed = Checkpoints(folder).Where(c => OnProbeGrid(c.State.Step)).ToList();
        var final = probed[^1].State;
        Progress(string.Create(CultureInfo.InvariantCulture, $"{run.Name} seed {seed}: {final.TrainingSeconds:F0} s wall, {final.CpuSeconds:F0} s CPU; probing {probed.Count} checkpoints"));
        var probe = new StudyProbe(build, Arguments, settings, progress.Inner);
        var points = probed.Select(c => new ProbePoint(c.State.Step, c.State.TrainingSeconds, c.State.CpuSeconds, probe.Student(c.ModelFile, cancel))).ToList();
        return new RunOutcome(run.Name, seed, final.Step, final.TrainingSeconds, final.CpuSeconds, final.TrainingSeconds / final.Step, final.Losses, points);
    }

    /// <summary>The run's complete checkpoints in step order.</summary>
    private static IEnumerable<CheckpointInfo> Checkpoints(string runFolder) =>
        Directory.GetDirectories(runFolder)
            .Where(d => File.Exists(Path.Combine(d, CheckpointStore.StateFile)) && File.Exists(Path.Combine(d, CheckpointStore.ModelFile)))
            .Select(d => new CheckpointInfo(d, JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(d, CheckpointStore.StateFile)))!))
            .OrderBy(c => c.State.Step);

    /// <summary>Probed checkpoints: every <c>ProbeEvery</c> steps and the last.</summary>
    private bool OnProbeGrid(long step) => step % settings.ProbeEvery == 0 || step == settings.Steps;

    /// <summary>
    /// An interrupted sitting checkpoints off the probe grid. The latest such checkpoint is where the
    /// run resumes; older ones are superseded and would otherwise take the room of probe checkpoints
    /// (<see cref="StudySettings.KeptCheckpoints"/> leaves room for one).
    /// </summary>
    private void DiscardSupersededInterruptions(CheckpointStore store, string folder)
    {
        var latest = store.Latest();
        foreach (var stale in Checkpoints(folder).Where(c => !OnProbeGrid(c.State.Step) && c.Directory != latest?.Directory))
        {
            Progress($"discarding {stale.Directory}: an interrupted sitting's checkpoint, superseded");
            Directory.Delete(stale.Directory, recursive: true);
        }
    }

    /// <summary>The label sets of the synthetic data, as the probes see them.</summary>
    private IReadOnlyList<string> LabelSets()
    {
        var plan = build(user => StudyRuns.Semantic.Arguments(user, settings, 0, RunFolder(outputDirectory, "floor", 0))).GetRequiredService<RunPlan>();
        return [.. plan.DatasetInfo.LabelSets.Keys];
    }

    /// <summary>The floor's student of <paramref name="seed"/>: written once, atomically, and reused by the supervised references.</summary>
    private string FloorModel(StudyProbe probe, long seed)
    {
        string modelFile = Path.Combine(RunFolder(outputDirectory, "floor", seed), CheckpointStore.ModelFile);
        if (!File.Exists(modelFile))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(modelFile)!);
            using var scope = NewDisposeScope();
            using var model = TrainingModel.Create(probe.Train, probe.Log, withTeacher: false);
            SafetensorsFile.WriteAtomic(modelFile, model.StateDict());
        }
        return modelFile;
    }

    private StudyProbe FloorProbe(long seed) =>
        new(build, user => StudyRuns.Semantic.Arguments(user, settings, seed, RunFolder(outputDirectory, "floor", seed)), settings, progress.Inner);

    /// <summary>The student as the seed initialises it (TrainingModel.Create, as every UMT run of this seed starts), written as step 0 and probed.</summary>
    private ReferenceOutcome Floor(long seed, CancellationToken cancel)
    {
        var probe = FloorProbe(seed);
        Progress($"{StudyRuns.Floor} seed {seed}: probing");
        return new ReferenceOutcome(StudyRuns.Floor, seed, probe.Student(FloorModel(probe, seed), cancel));
    }

    /// <summary>The floor's student trained with cross-entropy on <paramref name="labelSet"/> for the study's budget, then probed frozen.</summary>
    private SupervisedOutcome Supervised(string labelSet, long seed, CancellationToken cancel)
    {
        var probe = FloorProbe(seed);
        string folder = RunFolder(outputDirectory, StudyRuns.SupervisedFolder(labelSet), seed);
        Progress($"{StudyRuns.Supervised(labelSet)} seed {seed}: training {settings.Steps} steps → {folder}");
        var outcome = new SupervisedReference(build, settings, progress.Inner).Train(FloorModel(probe, seed), labelSet, seed, folder, probe.Test, cancel);
        cancel.ThrowIfCancellationRequested(); // a fine-tune cut short is not the budget's: measured again in the next sitting
        Progress(string.Create(CultureInfo.InvariantCulture, $"{StudyRuns.Supervised(labelSet)} seed {seed}: head top-1 {outcome.Test.MultiView.Top1:F3}, {outcome.TrainCpuSeconds:F0} s CPU; probing"));
        return new SupervisedOutcome(labelSet, seed, outcome.Steps, outcome.TrainSeconds, outcome.TrainCpuSeconds, outcome.Losses,
            outcome.Test.MultiView.Top1, probe.Student(outcome.ModelFile, cancel));
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
        Progress($"{StudyRuns.Ceiling}: probed");
        return ceiling;
    }

    /// <summary>Approximate FLOPs per step of every method and of the supervised reference, from their plans' shapes.</summary>
    private IEnumerable<MethodCost> Costs()
    {
        foreach (var run in StudyRuns.All)
        {
            yield return StudyFlops.Of(run.Name, build(user => run.Arguments(user, settings, 0, RunFolder(outputDirectory, run.Name, 0))).GetRequiredService<RunPlan>());
        }
        if (settings.Supervised)
        {
            yield return StudyFlops.Supervised(StudyRuns.SupervisedMethod, FloorProbe(0).Train);
        }
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
        Progress(string.Create(CultureInfo.InvariantCulture, $"mechanism {plan.Masking.Entry.Name} seed {seed}: enrichment {result.Mean:F3} over {result.Clips} clips"));
        return new MechanismOutcome(run.Name, plan.Masking.Entry.Name, seed, result.Mean, result.Clips);
    }

    private static ITeacher CreateTeacher(RunPlan plan, ILogger log) => plan.Teacher is { } teacher
        ? ((ITeacherFactory)teacher.Entry.Factory).Create(teacher.Options, plan.PluginContext(log))
        : throw new InvalidOperationException("The UMT runs of the study need a teacher (Umt:Teacher:Use); it is 'none'.");

    /// <summary>What the study is doing now, beside the count of parts done.</summary>
    private void Progress(string line) => study?.Report(partsDone, line);

    private void PartDone(string? line) => study?.Report(++partsDone, line);
}
