using TorchSharp.Modules;
using Umt.Runner.Engine.Step;
using Umt.Runner.Engine.Training;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>One AdamW parameter group of a fine-tune: a layer id, its learning-rate scale and whether it decays.</summary>
/// <param name="LayerId">0 for the embeddings, i + 1 for block i, L + 1 for everything above the blocks.</param>
/// <param name="LrScale">Multiplies the scheduled learning rate: decay^(L + 1 − LayerId).</param>
/// <param name="WeightDecay">The configured decay, or 0 for 1-D tensors, biases and position tables.</param>
public sealed record LayerDecayGroup(int LayerId, double LrScale, double WeightDecay, IReadOnlyList<string> Names, IReadOnlyList<Parameter> Parameters);

/// <summary>
/// Layer-wise learning-rate decay, as the reference's fine-tuning (single_modality/optim_factory.py
/// <c>get_num_layer_for_vit</c>, <c>LayerDecayValueAssigner</c> and <c>get_parameter_groups</c>,
/// with run_class_finetuning.py's values <c>decay ** (L + 1 − i)</c> for i in 0..L+1): the patch
/// embedding (and position table) is layer 0, block i is layer i + 1, and every other parameter
/// (the head, <c>fc_norm</c>) is layer L + 1 with scale 1. Within each layer the no-decay rule of
/// pretraining applies (<see cref="ParameterGroups.Decays"/>), so the groups are (layer, decay?).
/// </summary>
public static class LayerDecay
{
    private const string BlocksPrefix = "blocks.";

    /// <summary>The reference's layer id of a parameter named as in our checkpoints (the student under <paramref name="studentPrefix"/>).</summary>
    public static int LayerId(string name, int depth, string studentPrefix = TrainingModel.StudentPrefix)
    {
        if (!name.StartsWith(studentPrefix, StringComparison.Ordinal))
        {
            return depth + 1;
        }
        string local = name[studentPrefix.Length..];
        if (local.StartsWith("patch_embed", StringComparison.Ordinal) || local.StartsWith("pos_embed", StringComparison.Ordinal))
        {
            return 0;
        }
        if (local.StartsWith(BlocksPrefix, StringComparison.Ordinal))
        {
            string index = local[BlocksPrefix.Length..local.IndexOf('.', BlocksPrefix.Length)];
            return int.Parse(index, System.Globalization.CultureInfo.InvariantCulture) + 1;
        }
        return depth + 1;
    }

    /// <summary><c>decay ** (depth + 1 − layerId)</c>: 1 for the head, <c>decay^(depth+1)</c> for the embeddings.</summary>
    public static double Scale(int layerId, int depth, double decay) => Math.Pow(decay, depth + 1 - layerId);

    /// <summary>Groups of the trainable named parameters, ordered by layer id, decay group first within a layer.</summary>
    public static IReadOnlyList<LayerDecayGroup> Groups(IEnumerable<(string Name, Parameter Parameter)> named, int depth, double decay, double weightDecay)
    {
        var (decaying, notDecaying) = ParameterGroups.Split(named);
        var tagged = decaying.Select(p => (p.Name, p.Parameter, Decays: true)).Concat(notDecaying.Select(p => (p.Name, p.Parameter, Decays: false)));
        return [.. tagged
            .GroupBy(p => (Layer: LayerId(p.Name, depth), p.Decays))
            .OrderBy(g => g.Key.Layer).ThenBy(g => g.Key.Decays ? 0 : 1)
            .Select(g => new LayerDecayGroup(g.Key.Layer, Scale(g.Key.Layer, depth, decay), g.Key.Decays ? weightDecay : 0.0,
                [.. g.Select(p => p.Name)], [.. g.Select(p => p.Parameter)]))];
    }
}
