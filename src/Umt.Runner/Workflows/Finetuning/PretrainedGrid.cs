using Microsoft.Extensions.Configuration;
using Umt.Abstractions.Geometry;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// The token grid a checkpoint was pre-trained at, read from its run's saved <c>config.json</c>:
/// the geometry a fine-tune at other frames or resolution resizes the position table from. The
/// reference hard-codes it (8 slots of 14², modeling_finetune.py <c>get_sinusoid_encoding_table</c>);
/// here runs of any geometry are fine-tuned, so it is read from the run itself.
/// </summary>
public static class PretrainedGrid
{
    /// <summary>The run's grid, or null for a checkpoint without its run's configuration (its geometry is unknown).</summary>
    /// <exception cref="ConfigurationException">The run configuration's <c>Umt:Model</c> cannot be read.</exception>
    public static TokenGrid? FromRunConfig(string? runConfig)
    {
        if (runConfig is null)
        {
            return null;
        }
        var errors = new List<string>();
        var section = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(runConfig), optional: false, reloadOnChange: false).Build().GetSection("Umt:Model");
        var model = StrictOptionsBinder.Bind<ModelOptions>(section, errors);
        if (errors.Count > 0)
        {
            throw new ConfigurationException($"{runConfig}: {string.Join("; ", errors)}");
        }
        return new TokenGrid(model.Frames / model.Tubelet, model.ImageSize / model.PatchSize, model.ImageSize / model.PatchSize);
    }
}
