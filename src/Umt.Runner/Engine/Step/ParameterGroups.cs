using TorchSharp.Modules;

namespace Umt.Runner.Engine.Step;

/// <summary>
/// Splits trainable parameters into a weight-decay group and a no-decay group, mirroring the
/// reference's optim_factory.get_parameter_groups (stage 1) and multi_modality/utils/optimizer.py
/// <c>add_weight_decay</c> (stage 2): 1-D tensors, biases and the skip list (position tables,
/// CLS/mask tokens) get no decay. Both test <c>len(param.shape) == 1</c>, so a 0-d parameter —
/// stage 2's temperature <c>temp</c>, which UMT names in no <c>no_weight_decay</c> list — decays.
/// </summary>
public static class ParameterGroups
{
    private static readonly string[] SkipNames = ["pos_embed", "cls_token", "mask_token", "clip_mask_token", "clip_pos_embed"];

    public static bool Decays(string name, Parameter parameter)
    {
        string leaf = name[(name.LastIndexOf('.') + 1)..];
        return parameter.dim() != 1 && !name.EndsWith(".bias", StringComparison.Ordinal) && !SkipNames.Contains(leaf, StringComparer.Ordinal);
    }

    /// <summary>(decay, no-decay) lists of the trainable named parameters, in the given order.</summary>
    public static (List<(string Name, Parameter Parameter)> Decay, List<(string Name, Parameter Parameter)> NoDecay) Split(
        IEnumerable<(string Name, Parameter Parameter)> named)
    {
        var decay = new List<(string, Parameter)>();
        var noDecay = new List<(string, Parameter)>();
        foreach (var (name, parameter) in named.Where(p => p.Parameter.requires_grad))
        {
            (Decays(name, parameter) ? decay : noDecay).Add((name, parameter));
        }
        return (decay, noDecay);
    }
}
