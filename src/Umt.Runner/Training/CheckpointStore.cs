using System.Globalization;
using System.Text.Json;
using Umt.Models.Weights;
using static TorchSharp.torch;

namespace Umt.Runner.Training;

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
/// ignored and cleaned up.
/// </summary>
public sealed class CheckpointStore(string runDirectory)
{
    public const string ModelFile = "model.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string StateFile = "state.json";
    public const string LatestFile = "latest";
    private const string Prefix = "checkpoint-";
    private const string PartialMarker = ".partial-";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string RunDirectory { get; } = runDirectory;

    /// <summary>Writes a checkpoint atomically, publishes it as latest, then prunes to <paramref name="keep"/>.</summary>
    public string Save(TrainingState state, IReadOnlyDictionary<string, Tensor> model, IReadOnlyDictionary<string, Tensor> optimizer,
        IReadOnlyDictionary<string, string> optimizerMetadata, int keep)
    {
        Directory.CreateDirectory(RunDirectory);
        string name = Prefix + state.Step.ToString(CultureInfo.InvariantCulture);
        string final = Path.Combine(RunDirectory, name);
        string partial = final + PartialMarker + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(partial);

        SafetensorsFile.Write(Path.Combine(partial, ModelFile), model, new Dictionary<string, string> { ["format"] = "umt", ["step"] = state.Step.ToString(CultureInfo.InvariantCulture) });
        SafetensorsFile.Write(Path.Combine(partial, OptimizerFile), optimizer, optimizerMetadata);
        File.WriteAllText(Path.Combine(partial, StateFile), JsonSerializer.Serialize(state, Json));
        foreach (string file in Directory.GetFiles(partial))
        {
            DurableFiles.FlushFile(file);
        }
        DurableFiles.FlushFolder(partial);

        if (Directory.Exists(final))
        {
            Directory.Delete(final, recursive: true); // an older attempt at this step, superseded (latest never names it)
        }
        Directory.Move(partial, final);
        DurableFiles.FlushFolder(RunDirectory);
        DurableFiles.ReplaceText(Path.Combine(RunDirectory, LatestFile), name + "\n");
        Prune(keep, name);
        return final;
    }

    /// <summary>The checkpoint <c>latest</c> names, or the newest complete one if <c>latest</c> is missing or unreadable; null when there is none.</summary>
    public CheckpointInfo? Latest()
    {
        string latest = Path.Combine(RunDirectory, LatestFile);
        if (File.Exists(latest) && TryRead(Path.Combine(RunDirectory, File.ReadAllText(latest).Trim())) is { } named)
        {
            return named;
        }
        return Complete().Select(TryRead).LastOrDefault(c => c is not null);
    }

    /// <summary>True when the folder holds any checkpoint (complete or named by <c>latest</c>).</summary>
    public bool HasCheckpoints() => File.Exists(Path.Combine(RunDirectory, LatestFile)) || Complete().Any();

    private static CheckpointInfo? TryRead(string directory)
    {
        string state = Path.Combine(directory, StateFile);
        if (!File.Exists(state) || !File.Exists(Path.Combine(directory, ModelFile)) || !File.Exists(Path.Combine(directory, OptimizerFile)))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(state)) is { } parsed ? new CheckpointInfo(directory, parsed) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Complete checkpoint folders, oldest first.</summary>
    private IEnumerable<string> Complete() => !Directory.Exists(RunDirectory)
        ? []
        : Directory.GetDirectories(RunDirectory, Prefix + "*")
            .Where(d => !Path.GetFileName(d).Contains(PartialMarker, StringComparison.Ordinal))
            .Select(d => (Dir: d, Step: long.TryParse(Path.GetFileName(d)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long s) ? s : -1))
            .Where(x => x.Step >= 0)
            .OrderBy(x => x.Step)
            .Select(x => x.Dir);

    private void Prune(int keep, string newest)
    {
        foreach (string stale in Directory.GetDirectories(RunDirectory, Prefix + "*" + PartialMarker + "*"))
        {
            Directory.Delete(stale, recursive: true);
        }
        var complete = Complete().ToList();
        foreach (string old in complete.Take(Math.Max(0, complete.Count - keep)))
        {
            if (Path.GetFileName(old) != newest)
            {
                Directory.Delete(old, recursive: true);
            }
        }
    }
}
