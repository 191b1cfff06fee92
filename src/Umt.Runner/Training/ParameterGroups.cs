using TorchSharp.Modules;

namespace Umt.Runner.Training;

/// <summary>
/// Splits trainable parameters into a weight-decay group and a no-decay group, mirroring the
/// reference's optim_factory.get_parameter_groups: 1-D tensors, biases and the skip list
/// (position tables, CLS/mask tokens) get no decay.
/// </summary>
public static class ParameterGroups
{
    private static readonly string[] SkipNames = ["pos_embed", "cls_token", "mask_token", "clip_mask_token", "clip_pos_embed"];

    public static bool Decays(string name, Parameter parameter)
    {
        string leaf = name[(name.LastIndexOf('.') + 1)..];
        return parameter.dim() > 1 && !name.EndsWith(".bias", StringComparison.Ordinal) && !SkipNames.Contains(leaf, StringComparer.Ordinal);
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
