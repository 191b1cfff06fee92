using Umt.Models.Weights;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Step;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// The fine-tuned model's file in a fine-tune's output folder: <c>model.safetensors</c>, the
/// checkpoints' name, so <c>--checkpoint</c> takes the folder; written atomically, and only when
/// every weight is finite. It describes itself as a training checkpoint does (<see cref="ModelDescription"/>:
/// the fine-tune's resolved configuration), so <c>eval</c>, <c>extract</c> and <c>finetune</c> read
/// the bare file with no <c>--config</c>.
/// </summary>
public static class FinetunedModelFile
{
    /// <param name="stateDict">The model's tensors under their checkpoint keys (called inside a dispose scope).</param>
    /// <returns>The file's path.</returns>
    /// <param name="plan">The fine-tune's training plan, whose configuration builds the model the file holds.</param>
    public static string Write(string outputDirectory, RunPlan plan, Func<Dictionary<string, Tensor>> stateDict)
    {
        Directory.CreateDirectory(outputDirectory);
        string path = Path.Combine(outputDirectory, CheckpointStore.ModelFile);
        using var scope = NewDisposeScope();
        var weights = stateDict();
        FiniteValues.Require(weights, "the fine-tuned model");
        SafetensorsFile.WriteAtomic(path, weights.ToDictionary(kv => kv.Key, kv => kv.Value.cpu()), ModelDescription.Of(plan.Configuration, ModelIdentity.From(plan)));
        return path;
    }
}
