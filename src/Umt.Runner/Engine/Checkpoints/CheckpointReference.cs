using Microsoft.Extensions.Configuration;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Training;

namespace Umt.Runner.Engine.Checkpoints;

/// <summary>
/// What <c>--checkpoint</c> names: a run folder (its latest complete checkpoint), a checkpoint
/// folder, or a <c>model.safetensors</c>; with the configuration it was trained with, so evaluation
/// rebuilds the student with that geometry: the run's saved <c>config.json</c> when there is one,
/// else the configuration the model file carries (<see cref="ModelDescription"/>; a bare file copied
/// away from its run).
/// </summary>
public sealed record CheckpointReference(string ModelFile, string? RunConfig)
{
    public static CheckpointReference Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        string? checkpointFolder = File.Exists(full) ? Path.GetDirectoryName(full)
            : File.Exists(Path.Combine(full, CheckpointStore.ModelFile)) ? full
            : Directory.Exists(full) ? new CheckpointStore(full).Latest()?.Directory
            : null;
        if (checkpointFolder is null)
        {
            throw new ArgumentException($"--checkpoint '{path}' is neither a model file, a checkpoint folder, nor a run folder with a complete checkpoint.");
        }
        string modelFile = File.Exists(full) ? full : Path.Combine(checkpointFolder, CheckpointStore.ModelFile);
        string runConfig = Path.Combine(Path.GetDirectoryName(checkpointFolder)!, Trainer.ResolvedConfigFile);
        return new CheckpointReference(modelFile, File.Exists(runConfig) ? runConfig : null);
    }

    /// <summary>The configuration the checkpoint was trained with: the run's <c>config.json</c>, else the model file's own; null when it carries none.</summary>
    public IConfiguration? TrainedWith() =>
        RunConfig is not null ? new ConfigurationBuilder().AddJsonFile(RunConfig, optional: false, reloadOnChange: false).Build()
        : ModelDescription.ConfigurationOf(ModelFile) is { } embedded ? new ConfigurationBuilder().AddInMemoryCollection(embedded).Build()
        : null;

    /// <summary>The user's arguments with the run's configuration layered first (under every <c>--config</c> and <c>--set</c>).</summary>
    public CommonArguments Under(CommonArguments arguments) =>
        RunConfig is not null ? arguments with { Configs = [RunConfig, .. arguments.Configs] }
        : ModelDescription.ConfigurationOf(ModelFile) is { } embedded ? arguments with { Beneath = embedded }
        : arguments;
}
