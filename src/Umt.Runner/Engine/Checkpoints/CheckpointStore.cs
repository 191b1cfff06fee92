using System.Globalization;
using System.Text.Json;
using Umt.Models.Weights;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Checkpoints;

/// <summary>A complete checkpoint on disk.</summary>
public sealed record CheckpointInfo(string Directory, TrainingState State)
{
    public string ModelFile => Path.Combine(Directory, CheckpointStore.ModelFile);

    public string OptimizerFile => Path.Combine(Directory, CheckpointStore.OptimizerFile);
}

/// <summary>
/// The run folder's checkpoints (architecture.md, "Checkpoints and interop"):
/// <c>checkpoint-&lt;step&gt;/{model.safetensors, optimizer.safetensors, state.json}</c> plus a file
/// <c>latest</c> naming the newest complete one. A checkpoint is written under a temporary name,
/// flushed, and renamed; <c>latest</c> is replaced last. A SIGKILL at any moment therefore leaves
/// <c>latest</c> naming a complete checkpoint (or no checkpoint at all), and partial folders are
/// ignored and cleaned up. <c>state.json</c> records the SHA-256 of the two tensor files, so a
/// checkpoint damaged after it was written is passed over, never loaded; folders the store cannot
/// use are set aside under another name, never deleted.
/// </summary>
public sealed class CheckpointStore(string runDirectory)
{
    public const string ModelFile = "model.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string StateFile = "state.json";
    public const string LatestFile = "latest";
    private const string Prefix = "checkpoint-";
    private const string PartialMarker = ".partial-";
    private const string SetAsideMarker = ".set-aside-";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string RunDirectory { get; } = runDirectory;

    /// <summary>
    /// Writes a checkpoint atomically (recording its files' checksums in <paramref name="state"/>),
    /// publishes it as latest, then prunes to <paramref name="keep"/>.
    /// </summary>
    /// <param name="description">Metadata that makes <c>model.safetensors</c> describe itself (<see cref="ModelDescription"/>).</param>
    public string Save(TrainingState state, IReadOnlyDictionary<string, Tensor> model, IReadOnlyDictionary<string, Tensor> optimizer,
        IReadOnlyDictionary<string, string> optimizerMetadata, int keep, IReadOnlyDictionary<string, string>? description = null)
    {
        Directory.CreateDirectory(RunDirectory);
        string name = Prefix + state.Step.ToString(CultureInfo.InvariantCulture);
        string final = Path.Combine(RunDirectory, name);
        string partial = final + PartialMarker + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(partial);

        var modelMetadata = new Dictionary<string, string>(description ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["format"] = "umt",
            ["step"] = state.Step.ToString(CultureInfo.InvariantCulture),
        };
        SafetensorsFile.Write(Path.Combine(partial, ModelFile), model, modelMetadata);
        SafetensorsFile.Write(Path.Combine(partial, OptimizerFile), optimizer, optimizerMetadata);
        state.Sha256 = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [ModelFile] = FileChecksum.Sha256(Path.Combine(partial, ModelFile)),
            [OptimizerFile] = FileChecksum.Sha256(Path.Combine(partial, OptimizerFile)),
        };
        File.WriteAllText(Path.Combine(partial, StateFile), JsonSerializer.Serialize(state, Json));
        foreach (string file in Directory.GetFiles(partial))
        {
            DurableFiles.FlushFile(file);
        }
        DurableFiles.FlushFolder(partial);

        if (Directory.Exists(final))
        {
            SetAside(final); // an earlier attempt at this step that latest does not name: kept, as nothing the run did not write itself is destroyed
        }
        Directory.Move(partial, final);
        DurableFiles.FlushFolder(RunDirectory);
        DurableFiles.ReplaceText(Path.Combine(RunDirectory, LatestFile), name + "\n");
        Prune(keep, name);
        return final;
    }

    /// <summary>The checkpoint a resume continues from (see <see cref="Find"/>); null when none is usable.</summary>
    public CheckpointInfo? Latest() => Find().Checkpoint;

    /// <summary>
    /// The checkpoint <c>latest</c> names, or, when <c>latest</c> is missing, names no checkpoint
    /// folder of this run folder, or names an unusable one, the newest usable one. Usable: its
    /// three files are present, <c>state.json</c> is a consistent state of that step, and the
    /// tensor files match the checksums it records (checkpoints written before checksums were
    /// recorded are usable unverified). Reads every candidate's files; changes nothing.
    /// </summary>
    public CheckpointSearch Find()
    {
        var passedOver = new List<PassedOverCheckpoint>();
        var (named, latestProblem) = NamedByLatest();
        CheckpointInfo? chosen = null;
        if (named is not null)
        {
            chosen = Examine(named.Value.Directory, named.Value.Step, passedOver);
        }
        foreach (var (directory, step) in Complete().Reverse())
        {
            if (chosen is not null && step <= chosen.State.Step)
            {
                break;
            }
            if (directory == named?.Directory)
            {
                continue;
            }
            if (chosen is not null)
            {
                passedOver.Add(new PassedOverCheckpoint(directory, $"it is newer than {Path.GetFileName(chosen.Directory)}, which latest names: it was written but never published (the run stopped in between)"));
                continue;
            }
            chosen = Examine(directory, step, passedOver);
        }
        return new CheckpointSearch(chosen, latestProblem, passedOver);
    }

    /// <summary>
    /// The checkpoint in <paramref name="directory"/>, a <c>checkpoint-&lt;step&gt;</c> folder of this run
    /// folder, when it is usable (as <see cref="Find"/> judges it); otherwise null and why not.
    /// </summary>
    public (CheckpointInfo? Checkpoint, string? Problem) At(string directory)
    {
        if (StepOf(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory))) is not { } step)
        {
            return (null, "it is not a checkpoint-<step> folder");
        }
        if (!Directory.Exists(directory))
        {
            return (null, "it does not exist");
        }
        var passedOver = new List<PassedOverCheckpoint>();
        return Examine(directory, step, passedOver) is { } checkpoint ? (checkpoint, null) : (null, passedOver[0].Reason);
    }

    /// <summary>The checkpoint folders of steps after <paramref name="step"/>, oldest first.</summary>
    public IReadOnlyList<string> After(long step) => [.. Complete().Where(c => c.Step > step).Select(c => c.Directory)];

    /// <summary>True when the folder holds any checkpoint (complete or named by <c>latest</c>).</summary>
    public bool HasCheckpoints() => File.Exists(Path.Combine(RunDirectory, LatestFile)) || Complete().Any();

    /// <summary>
    /// Renames a checkpoint folder to <c>checkpoint-&lt;step&gt;.set-aside-&lt;utc time&gt;</c>: pruning,
    /// searches and later saves no longer see it, and its files stay for the user to inspect or delete.
    /// </summary>
    public string SetAside(string directory)
    {
        string target = directory + SetAsideMarker + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        Directory.Move(directory, target);
        DurableFiles.FlushFolder(RunDirectory);
        return target;
    }

    /// <summary>Makes <c>latest</c> name <paramref name="checkpoint"/> (after the ones it named were set aside).</summary>
    public void Publish(CheckpointInfo checkpoint) =>
        DurableFiles.ReplaceText(Path.Combine(RunDirectory, LatestFile), Path.GetFileName(checkpoint.Directory) + "\n");

    /// <summary>The folder <c>latest</c> names when it is a <c>checkpoint-&lt;step&gt;</c> folder directly inside the run folder; otherwise why it was ignored.</summary>
    private ((string Directory, long Step)? Named, string? Problem) NamedByLatest()
    {
        string latest = Path.Combine(RunDirectory, LatestFile);
        if (!File.Exists(latest))
        {
            return (null, null);
        }
        string name = File.ReadAllText(latest).Trim();
        if (StepOf(name) is not { } step)
        {
            return (null, $"{latest} names '{name}', not a checkpoint-<step> folder inside the run folder; ignored, the newest usable checkpoint is used");
        }
        string directory = Path.Combine(RunDirectory, name);
        return Directory.Exists(directory)
            ? ((directory, step), null)
            : (null, $"{latest} names {name}, which does not exist; the newest usable checkpoint is used");
    }

    /// <summary>The checkpoint in <paramref name="directory"/> when it is usable; otherwise adds why not to <paramref name="passedOver"/>.</summary>
    private CheckpointInfo? Examine(string directory, long step, List<PassedOverCheckpoint> passedOver)
    {
        string? problem = Problem(directory, step, out var state);
        if (problem is not null)
        {
            passedOver.Add(new PassedOverCheckpoint(directory, problem));
            return null;
        }
        return new CheckpointInfo(directory, state!);
    }

    private string? Problem(string directory, long step, out TrainingState? state)
    {
        state = null;
        if (new DirectoryInfo(directory).ResolveLinkTarget(returnFinalTarget: true) is { } target
            && Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(target.FullName)) != Path.TrimEndingDirectorySeparator(Path.GetFullPath(RunDirectory)))
        {
            return $"it is a link to {target.FullName}, outside the run folder";
        }
        if (new[] { StateFile, ModelFile, OptimizerFile }.FirstOrDefault(f => !File.Exists(Path.Combine(directory, f))) is { } missing)
        {
            return $"{missing} is missing";
        }
        try
        {
            state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(directory, StateFile)));
        }
        catch (JsonException e)
        {
            return $"{StateFile} is not a training state ({e.Message})";
        }
        if (state is null)
        {
            return $"{StateFile} holds null";
        }
        if (state.Inconsistency(step) is { } inconsistency)
        {
            return $"{StateFile} is inconsistent: {inconsistency}";
        }
        return state.Sha256.Count == 0 ? null : ChecksumProblem(directory, state.Sha256);
    }

    private static string? ChecksumProblem(string directory, IReadOnlyDictionary<string, string> recorded)
    {
        foreach (string file in new[] { ModelFile, OptimizerFile })
        {
            if (!recorded.TryGetValue(file, out var expected))
            {
                return $"{StateFile} records checksums but none for {file}";
            }
            if (!string.Equals(FileChecksum.Sha256(Path.Combine(directory, file)), expected, StringComparison.OrdinalIgnoreCase))
            {
                return $"{file} does not match the SHA-256 recorded in {StateFile}: it was damaged or changed after it was written";
            }
        }
        return null;
    }

    private static long? StepOf(string name) =>
        name.StartsWith(Prefix, StringComparison.Ordinal)
        && long.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long step) ? step : null;

    /// <summary>Checkpoint folders (named <c>checkpoint-&lt;step&gt;</c>, whatever they hold), oldest first; partial and set-aside folders are not among them.</summary>
    private IEnumerable<(string Directory, long Step)> Complete() => !Directory.Exists(RunDirectory)
        ? []
        : Directory.GetDirectories(RunDirectory, Prefix + "*")
            .Select(d => (Dir: d, Step: StepOf(Path.GetFileName(d))))
            .Where(x => x.Step is not null)
            .Select(x => (x.Dir, x.Step!.Value))
            .OrderBy(x => x.Item2);

    private void Prune(int keep, string newest)
    {
        foreach (string stale in Directory.GetDirectories(RunDirectory, Prefix + "*" + PartialMarker + "*"))
        {
            Directory.Delete(stale, recursive: true);
        }
        var complete = Complete().Select(c => c.Directory).ToList();
        foreach (string old in complete.Take(Math.Max(0, complete.Count - keep)))
        {
            if (Path.GetFileName(old) != newest)
            {
                Directory.Delete(old, recursive: true);
            }
        }
    }
}
