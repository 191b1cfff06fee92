using Serilog;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Engine.Checkpoints;

/// <summary>
/// The checkpoint a resume continues from, with the checkpoint folders in its way: the ones the
/// search passed over, or, when <c>--resume PATH</c> names an older checkpoint of the run, the newer
/// ones of the abandoned continuation. They are set aside (kept, never deleted) only once the
/// resume is accepted, so a refused resume changes nothing; the resumed run would otherwise prune
/// them or write over them at their step.
/// </summary>
/// <param name="Publish">Make <c>latest</c> name <see cref="Checkpoint"/> (it names another folder, or none).</param>
public sealed record ResumePoint(CheckpointInfo Checkpoint, IReadOnlyList<PassedOverCheckpoint> InTheWay, bool Publish)
{
    /// <summary>
    /// The checkpoint <paramref name="request"/> names in <paramref name="store"/>'s run; null when it asks
    /// for the latest and the run folder holds no checkpoint yet, so that one command line starts a
    /// run and continues it after any stop (a requeued job). Throws <see cref="ConfigurationException"/>
    /// when the run folder holds checkpoints but none is usable, or the named one is not usable.
    /// </summary>
    /// <param name="outputDir">Umt:Run:OutputDir as configured, for the messages.</param>
    public static ResumePoint? Find(CheckpointStore store, ResumeRequest request, string outputDir, ILogger log) =>
        request.Checkpoint is { } path ? Named(store, path, outputDir) : Latest(store, outputDir, log);

    /// <summary>Sets aside the folders in the way and publishes the checkpoint (the main process only).</summary>
    public void Apply(CheckpointStore store, ILogger log)
    {
        foreach (var folder in InTheWay)
        {
            log.Warning("{Checkpoint} is kept as {SetAside} ({Reason})", folder.Directory, store.SetAside(folder.Directory), folder.Reason);
        }
        if (Publish)
        {
            store.Publish(Checkpoint);
        }
    }

    private static ResumePoint? Latest(CheckpointStore store, string outputDir, ILogger log)
    {
        var search = store.Find();
        if (search.LatestProblem is { } latestProblem)
        {
            log.Warning("{Problem}", latestProblem);
        }
        foreach (var passed in search.PassedOver)
        {
            log.Warning("Checkpoint {Checkpoint} is passed over: {Reason}", passed.Directory, passed.Reason);
        }
        if (search.Checkpoint is { } checkpoint)
        {
            return new ResumePoint(checkpoint, search.PassedOver, Publish: search.PassedOver.Count > 0 || search.LatestProblem is not null);
        }
        return store.HasCheckpoints() || search.PassedOver.Count > 0
            ? throw new ConfigurationException(
                [$"Umt:Run:OutputDir = {outputDir}: --resume found no usable checkpoint in {store.RunDirectory}.", .. search.PassedOver.Select(p => $"  {p.Directory}: {p.Reason}")])
            : null;
    }

    /// <summary>
    /// <c>--resume PATH</c>: a checkpoint of this run (an older one: the newer ones are in the way) or
    /// of another run folder, continued into an <c>Umt:Run:OutputDir</c> that holds no checkpoints of its own.
    /// </summary>
    private static ResumePoint Named(CheckpointStore store, string path, string outputDir)
    {
        string directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string runFolder = Path.GetDirectoryName(directory)!;
        var (checkpoint, problem) = new CheckpointStore(runFolder).At(directory);
        if (checkpoint is null)
        {
            throw new ConfigurationException(
                $"--resume {path}: {problem}. Give a checkpoint-<step> folder (model.safetensors, optimizer.safetensors, state.json), or --resume alone for the latest checkpoint of Umt:Run:OutputDir.");
        }
        if (runFolder != Path.TrimEndingDirectorySeparator(Path.GetFullPath(store.RunDirectory)))
        {
            return store.HasCheckpoints()
                ? throw new ConfigurationException(
                    $"--resume {path}: that checkpoint belongs to the run folder {runFolder}, and Umt:Run:OutputDir = {outputDir} holds checkpoints of its own; continue it into an empty Umt:Run:OutputDir, or resume {store.RunDirectory}'s own.")
                : new ResumePoint(checkpoint, [], Publish: false);
        }
        string name = Path.GetFileName(directory);
        var newer = store.After(checkpoint.State.Step)
            .Select(d => new PassedOverCheckpoint(d, $"it is newer than {name}, which --resume names: the run continues from {name}"))
            .ToList();
        return new ResumePoint(checkpoint, newer, Publish: true);
    }
}
