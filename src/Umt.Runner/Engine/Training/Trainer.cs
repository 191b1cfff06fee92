using System.Diagnostics;
using System.Globalization;
using Serilog;
using Umt.Abstractions.Distributed;
using Umt.Models.Weights;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Data;
using Umt.Runner.Engine.Distributed;
using Umt.Runner.Engine.Model;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Engine.Step;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Training;

/// <summary>
/// The training loop: builds the run's objects from a <see cref="RunPlan"/>, resumes from the
/// latest or a given checkpoint when asked, and runs optimizer steps, each inside its own dispose scope
/// (modules and optimizer live outside it). Checkpoints every <c>CheckpointEvery</c> steps, at
/// the end, and when interrupted; a non-finite loss stops the run before the optimizer step.
/// In a data-parallel job (<paramref name="collectives"/> of several processes) every process
/// starts from rank 0's weights, reads its slice of each global batch and averages gradients;
/// only rank 0 writes the run folder (configuration, TensorBoard, checkpoints), holding its
/// <see cref="RunFolderLock"/> for the whole run. No checkpoint ever holds a NaN or ±∞: the step
/// refuses non-finite losses and gradients, and every save checks the weights and optimizer state.
/// </summary>
/// <param name="collectives">The job's processes; one process by default.</param>
public sealed class Trainer(RunPlan plan, ILogger log, ICollectives? collectives = null)
{
    private readonly ICollectives processes = collectives ?? SingleProcessCollectives.Instance;

    private bool IsMain => processes.Rank == 0;

    public const string ResolvedConfigFile = "config.json";

    /// <param name="resume">Continue from a checkpoint (<c>--resume [PATH]</c>); null: a new run.</param>
    /// <param name="progress">Where the steps are shown (rank 0 only).</param>
    /// <param name="stopAfter">Stop, with a checkpoint, once this many steps are done (the schedule still spans all steps): for time-sliced or preemptible jobs.</param>
    /// <param name="cancel">Stops after the current step, with a checkpoint.</param>
    public TrainingResult Run(ResumeRequest? resume, ProgressRenderer progress, long? stopAfter, CancellationToken cancel)
    {
        var sitting = new ProcessClock();
        string runDirectory = plan.OutputDirectory;
        var store = new CheckpointStore(runDirectory);
        var identity = ModelIdentity.From(plan);
        using var folderLock = IsMain ? RunFolderLock.Acquire(runDirectory, "Umt:Run:OutputDir") : null;
        if (folderLock?.PreviousHolder is { } previous)
        {
            log.Information("Locked {RunDirectory} for this run (the last holder has ended: {Holder})", runDirectory, previous);
        }
        var trajectory = TrajectoryIdentity.From(plan);
        var checkpoint = PrepareRunFolder(store, resume, identity, trajectory);

        TorchThreads.Configure(plan.Run.Threads, processes.LocalSize);
        using var model = TrainingModel.Create(plan, log);
        if (plan.Stage2.From is { Length: > 0 } from && checkpoint is null && model.TextEncoder is not null)
        {
            Stage1Import.Apply(model, from, plan.BaseDirectory, log);
        }
        model.Train();
        using var optimization = new OptimizationStep(model, plan, collectives: processes);

        var state = new TrainingState { Seed = plan.Run.Seed, ModelIdentity = identity, ConfigHash = ModelIdentity.Hash(identity), Trajectory = trajectory };
        if (checkpoint is not null)
        {
            Restore(checkpoint, model, optimization, state);
            log.Information("Resuming {RunDirectory} from {Checkpoint} (step {Step})", runDirectory, checkpoint.Directory, state.Step);
        }
        var schedule = plan.Schedule;
        state.GlobalBatch = schedule.EffectiveBatch;
        StartFromRankZero(model);
        long startStep = state.Step;
        (double trainingBefore, double cpuBefore) = (state.TrainingSeconds, state.CpuSeconds);
        var shard = new DataShard(processes.Rank, processes.WorldSize);
        var reading = new StreamReading(plan.Run.Seed, plan.Run.BatchSize, plan.Run.DataWorkers, plan.Run.PrefetchBatches, plan.Run.MaxFailureFraction);
        int effectiveBatch = schedule.EffectiveBatch;
        using var streams = new MediaStreams(plan.Run.Seed, effectiveBatch, plan.Streams.Select((stream, i) => (Func<MediaStream>)(() =>
            new MediaStream(model.Maskings[i], plan.CreateDataset(stream, log), state.CursorOf(i), state.FailedSamplesOf(i), reading, shard, log))));
        using var reporter = IsMain ? new TrainingReporter(log, runDirectory, plan.Run.LogEvery, schedule.TotalSteps, progress, "train") : null;

        if (processes.WorldSize > 1)
        {
            log.Information("Data-parallel over {World} processes ({Launcher}, backend {Backend}): {Batch} samples per process and micro-batch, global batch {Global}",
                processes.WorldSize, plan.Launch.Launcher, plan.Distributed.Backend, plan.Run.BatchSize, effectiveBatch);
        }
        log.Information("Device {Device}: {DeviceReason}", plan.Device.ToString(), plan.DeviceReason);
        log.Information("Training {Steps} steps ({Start} done) on {Device}: student {Preset} {Grid} tokens, masking {Masking}, teacher {Teacher}, objectives {Objectives}; outputs in {RunDirectory}",
            schedule.TotalSteps, startStep, plan.Device.type, plan.Model.Preset, plan.Student.Grid.ToString(), plan.Masking.Entry.Name,
            plan.Teacher?.Entry.Name ?? RunPlanner.NoTeacher, string.Join(", ", model.Objectives.Select(o => $"{o.Name}×{o.Weight}")), runDirectory);
        if (model.TextEncoder is not null)
        {
            var images = plan.Streams.Count > 1 ? plan.Streams[1] : null;
            log.Information("Stage 2: text encoder {TextEncoder} ({Layers} layers, fusion from layer {Fusion}), {ImageSteps} of {Steps} steps per epoch read image batches ({ImageDataset}, masking {ImageMasking})",
                plan.TextEncoder!.Entry.Name, model.TextEncoder.Traits.Layers, model.TextEncoder.Traits.FusionLayer, images is null ? 0 : streams.Order.BatchesPerStream[1], streams.Order.StepsPerEpoch,
                images?.Dataset.Entry.Name ?? RunPlanner.NoTeacher, (images ?? plan.Video).Masking.Entry.Name);
        }

        var clock = Stopwatch.StartNew();
        string? lastCheckpoint = checkpoint?.Directory;
        bool interrupted = false;
        using var finalizers = NativeGarbage.HoldFinalizers(); // run at each step's end only (OptimizationStep.Run)
        while (state.Step < schedule.TotalSteps)
        {
            var stepClock = Stopwatch.StartNew();
            double lr = schedule.LearningRate(state.Step);
            var active = streams.At(state.Step);
            var outcome = optimization.Run(active.Next, active.Masking, state.Step, lr);
            active.Consumed(outcome.After);
            state.Step++;
            state.Losses.Add(outcome.Loss);
            reporter?.Report(state.Step, outcome.Loss, outcome.PerObjective, lr, stepClock.Elapsed.TotalSeconds, outcome.DataWait, streams.FailureCount);
            if (state.Step == startStep + 1 && optimization.FirstShapes is { } shapes)
            {
                LogShapes(shapes);
            }

            interrupted = AnyProcess(cancel.IsCancellationRequested) || state.Step >= stopAfter;
            if (IsMain && (state.Step % plan.Run.CheckpointEvery == 0 || state.Step == schedule.TotalSteps || interrupted))
            {
                for (int i = 0; i < streams.All.Count; i++)
                {
                    state.Record(i, streams.All[i].Cursor, [.. streams.All[i].Failures.Indices]);
                }
                (state.TrainingSeconds, state.CpuSeconds) = (trainingBefore + sitting.WallSeconds, cpuBefore + sitting.CpuSeconds);
                lastCheckpoint = SaveCheckpoint(store, model, optimization, state);
                log.Information("Checkpoint {Checkpoint}", lastCheckpoint);
            }
            if (interrupted)
            {
                break;
            }
        }
        return new TrainingResult(runDirectory, startStep, state.Step, schedule.TotalSteps, clock.Elapsed, state.Losses, lastCheckpoint, interrupted, streams.FailuresByReason);
    }

    /// <summary>
    /// Refuses to overwrite a run, or to resume a different model or a different run; sets aside
    /// the checkpoints in the resume's way; writes the resolved configuration without overwriting the run's.
    /// </summary>
    private CheckpointInfo? PrepareRunFolder(CheckpointStore store, ResumeRequest? resume, SortedDictionary<string, string> identity, SortedDictionary<string, string> trajectory)
    {
        if (resume is null)
        {
            if (store.HasCheckpoints())
            {
                throw new ConfigurationException(
                    $"Umt:Run:OutputDir = {plan.Run.OutputDir} already holds checkpoints ({store.RunDirectory}). Continue that run with --resume, or choose another Umt:Run:OutputDir.");
            }
            WriteConfiguration(store, checkpoint: null);
            return null;
        }

        if (ResumePoint.Find(store, resume, plan.Run.OutputDir, log) is not { } point)
        {
            log.Information("--resume: {RunDirectory} holds no checkpoint yet, so this starts the run; the same command continues it after a stop", store.RunDirectory);
            WriteConfiguration(store, checkpoint: null);
            return null;
        }
        var checkpoint = point.Checkpoint;
        RefuseChanges(store, checkpoint.State, identity, trajectory);
        if (checkpoint.State.Sha256.Count == 0)
        {
            log.Warning("Checkpoint {Checkpoint} records no checksums (written before they were recorded): its files could not be verified", checkpoint.Directory);
        }
        if (IsMain)
        {
            point.Apply(store, log);
        }
        WriteConfiguration(store, checkpoint);
        return checkpoint;
    }

    /// <summary>A resume continues the same run: same model, same trajectory, same global batch.</summary>
    private void RefuseChanges(CheckpointStore store, TrainingState saved, SortedDictionary<string, string> identity, SortedDictionary<string, string> trajectory)
    {
        var modelChanges = ModelIdentity.Differences(saved.ModelIdentity, identity);
        if (modelChanges.Count > 0)
        {
            throw new ConfigurationException(
                [$"--resume: the configuration changes the model of the run in {store.RunDirectory}; refusing to continue. Changed keys:", .. modelChanges.Select(d => "  " + d)]);
        }
        if (saved.Trajectory.Count == 0)
        {
            log.Warning("The checkpoint records no seed, data, masking or loss settings (written before they were recorded): changes to them could not be checked");
        }
        else if (ModelIdentity.Differences(TrajectoryIdentity.AsSavedNow(saved.Trajectory), trajectory) is { Count: > 0 } trajectoryChanges)
        {
            throw new ConfigurationException(
                [$"--resume: the configuration changes what the run in {store.RunDirectory} trains on or towards; refusing to continue (train into another Umt:Run:OutputDir for a new run). Changed keys:",
                 .. trajectoryChanges.Select(d => "  " + d),
                 "  The optimizer's settings, Steps/Epochs, warm-up, logging, checkpointing, devices, threads and workers may change between sittings."]);
        }
        if (saved.GlobalBatch != 0 && saved.GlobalBatch != plan.Schedule.EffectiveBatch)
        {
            int perProcess = saved.GlobalBatch / (plan.Optimizer.AccumulateSteps * processes.WorldSize);
            string fix = saved.GlobalBatch % (plan.Optimizer.AccumulateSteps * processes.WorldSize) == 0
                ? $"set Umt:Run:BatchSize = {perProcess}"
                : $"use a number of processes that divides {saved.GlobalBatch / plan.Optimizer.AccumulateSteps}";
            throw new ConfigurationException(
                $"--resume: the run in {store.RunDirectory} was trained with a global batch of {saved.GlobalBatch} samples per step; this configuration gives {plan.Schedule.EffectiveBatch} "
                + $"(Umt:Run:BatchSize {plan.Run.BatchSize} × Umt:Optimizer:AccumulateSteps {plan.Optimizer.AccumulateSteps} × {processes.WorldSize} processes). To continue it, {fix}.");
        }
    }

    /// <summary>
    /// Writes the resolved configuration as the run's <c>config.json</c>; a resumed sitting whose
    /// configuration differs from it writes <c>config-resume-&lt;step&gt;.json</c> beside it instead, so the
    /// run's own configuration (which evaluation rebuilds the student from) is never overwritten.
    /// </summary>
    private void WriteConfiguration(CheckpointStore store, CheckpointInfo? checkpoint)
    {
        if (!IsMain)
        {
            return;
        }
        Directory.CreateDirectory(store.RunDirectory);
        string text = ConfigurationJson.Write(plan.Configuration);
        string runConfig = Path.Combine(store.RunDirectory, ResolvedConfigFile);
        if (checkpoint is null || !File.Exists(runConfig))
        {
            DurableFiles.ReplaceText(runConfig, text);
        }
        else if (File.ReadAllText(runConfig) != text)
        {
            string sitting = Path.Combine(store.RunDirectory, $"config-resume-{checkpoint.State.Step.ToString(CultureInfo.InvariantCulture)}.json");
            DurableFiles.ReplaceText(sitting, text);
            log.Information("This sitting's configuration differs from the run's {RunConfig}, which is kept; it is saved as {SittingConfig}", runConfig, sitting);
        }
    }

    /// <summary>Whether the flag is set on any process: every process must stop after the same step, or the others wait in its next collective.</summary>
    private bool AnyProcess(bool flag)
    {
        if (processes.WorldSize == 1)
        {
            return flag;
        }
        using var value = tensor(flag ? 1L : 0L);
        processes.AllReduce(value, ReduceOperation.Max);
        return value.item<long>() != 0;
    }

    /// <summary>Every process takes rank 0's parameters and buffers (DDP's broadcast at construction), so the job trains one model even where an initialisation draws from a generator not keyed by the seed alone.</summary>
    private void StartFromRankZero(TrainingModel model)
    {
        if (processes.WorldSize == 1)
        {
            return;
        }
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var (_, tensor) in model.StateDict().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            processes.Broadcast(tensor, root: 0);
        }
    }

    private static void Restore(CheckpointInfo checkpoint, TrainingModel model, OptimizationStep optimization, TrainingState state)
    {
        using var scope = NewDisposeScope();
        model.LoadStateDict(SafetensorsFile.Read(checkpoint.ModelFile));
        var header = SafetensorsFile.ReadHeader(checkpoint.OptimizerFile);
        OptimizerCheckpoint.Import(optimization.Optimizer, optimization.ParameterNames, SafetensorsFile.Read(checkpoint.OptimizerFile), header.Metadata);
        state.Step = checkpoint.State.Step;
        state.Epoch = checkpoint.State.Epoch;
        state.Offset = checkpoint.State.Offset;
        state.Losses = checkpoint.State.Losses;
        state.TrainingSeconds = checkpoint.State.TrainingSeconds;
        state.CpuSeconds = checkpoint.State.CpuSeconds;
        state.FailedSamples = checkpoint.State.FailedSamples;
        state.ImageEpoch = checkpoint.State.ImageEpoch;
        state.ImageOffset = checkpoint.State.ImageOffset;
        state.ImageFailedSamples = checkpoint.State.ImageFailedSamples;
    }

    private string SaveCheckpoint(CheckpointStore store, TrainingModel model, OptimizationStep optimization, TrainingState state)
    {
        using var scope = NewDisposeScope();
        state.WrittenAt = DateTimeOffset.UtcNow;
        var weights = model.StateDict();
        var (tensors, metadata) = OptimizerCheckpoint.Export(optimization.Optimizer, optimization.ParameterNames);
        var nonFinite = FiniteValues.NonFinite(weights).Concat(FiniteValues.NonFinite(tensors)).ToList();
        if (nonFinite.Count > 0)
        {
            // The last line of defence: the step refuses non-finite losses and gradients, but whatever
            // else overflows must not reach the disk, where --resume would load it.
            throw new TrainingDivergedException(
                $"Not writing the checkpoint of step {state.Step}: {nonFinite.Count} tensors hold NaN or ±∞ ({FiniteValues.Describe(nonFinite)}). "
                + $"The run folder keeps its last complete checkpoint ({store.Latest()?.Directory ?? "none"}); lower Umt:Optimizer:Lr and continue with --resume.");
        }
        return store.Save(state, weights, tensors, metadata, plan.Run.KeepCheckpoints, ModelDescription.Of(plan.Configuration, state.ModelIdentity));
    }

    private void LogShapes(StepShapes shapes)
    {
        static string Shape(long[]? s) => s is null ? "none" : $"[{string.Join(", ", s)}]";
        log.Information("First step: {Visible} of {Tokens} tokens visible per clip (mask {Mask}); teacher features {Features}, attention {Attention}, aligned targets {Targets}",
            shapes.VisiblePerClip, shapes.Mask[1], Shape(shapes.Mask), Shape(shapes.TeacherFeatures), Shape(shapes.TeacherAttention), Shape(shapes.VisibleTargets));
    }
}
