using Umt.Abstractions.Geometry;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// The token grid a checkpoint was pre-trained at, read from the configuration it was trained with
/// (its run's saved <c>config.json</c>, else the model file's own: <see cref="CheckpointReference.TrainedWith"/>):
/// the geometry a fine-tune at other frames or resolution resizes the position table from. The
/// reference hard-codes it (8 slots of 14², modeling_finetune.py <c>get_sinusoid_encoding_table</c>);
/// here runs of any geometry are fine-tuned, so it is read from the run itself.
/// </summary>
public static class PretrainedGrid
{
    /// <summary>The run's grid, or null for a checkpoint that carries no configuration (its geometry is unknown).</summary>
    /// <exception cref="ConfigurationException">The configuration's <c>Umt:Model</c> cannot be read.</exception>
    public static TokenGrid? Of(CheckpointReference checkpoint)
    {
        if (checkpoint.TrainedWith() is not { } configuration)
        {
            return null;
        }
        var errors = new List<string>();
        var model = StrictOptionsBinder.Bind<ModelOptions>(configuration.GetSection("Umt:Model"), errors);
        if (errors.Count > 0)
        {
            throw new ConfigurationException($"{checkpoint.RunConfig ?? checkpoint.ModelFile}: {string.Join("; ", errors)}");
        }
        return new TokenGrid(model.Frames / model.Tubelet, model.ImageSize / model.PatchSize, model.ImageSize / model.PatchSize);
    }
}
