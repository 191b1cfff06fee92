using static TorchSharp.torch;

namespace Umt.Models.Weights;

/// <summary>Copies checkpoint tensors into a module's state_dict entries, all or nothing.</summary>
public static class StateDictLoader
{
    /// <summary>
    /// Copies <paramref name="source"/>'s tensors named <paramref name="prefix"/> + key into the
    /// module's entry named key, converting to the module's device and dtype. Source keys without
    /// the prefix belong to other modules and are ignored.
    /// </summary>
    /// <param name="module">The module to fill.</param>
    /// <param name="source">Checkpoint tensors, e.g. from <see cref="SafetensorsFile.Read"/>.</param>
    /// <param name="prefix">Prepended verbatim to the module's keys, e.g. <c>"encoder."</c>.</param>
    /// <exception cref="StateDictMismatchException">
    /// Any key is missing, unexpected or wrong-shaped; nothing has been copied.
    /// </exception>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> source, string prefix = "")
    {
        var target = module.state_dict();
        var offered = source
            .Where(pair => pair.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(pair => pair.Key[prefix.Length..], pair => pair.Value, StringComparer.Ordinal);

        var missing = target.Keys.Where(key => !offered.ContainsKey(key)).Order(StringComparer.Ordinal).ToList();
        var unexpected = offered.Keys.Where(key => !target.ContainsKey(key)).Order(StringComparer.Ordinal).ToList();
        var wrongShapes = target
            .Where(pair => offered.TryGetValue(pair.Key, out var found) && !found.shape.SequenceEqual(pair.Value.shape))
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => (pair.Key, pair.Value.shape, offered[pair.Key].shape))
            .ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || wrongShapes.Count > 0)
        {
            throw new StateDictMismatchException(module.GetName(), prefix, missing, unexpected, wrongShapes);
        }

        using var noGrad = no_grad();
        foreach (var (key, destination) in target)
        {
            destination.copy_(offered[key]);
        }
    }

    /// <summary>
    /// The entries of <paramref name="source"/> that are the module's own (<paramref name="prefix"/> +
    /// one of its state-dict keys), under their source names. For a module saved without a prefix
    /// beside others (the stage-2 heads at the top level of a checkpoint), <see cref="Load"/> would
    /// count every other module's key as unexpected; this offers it only its own.
    /// </summary>
    public static Dictionary<string, Tensor> OwnEntries(nn.Module module, IReadOnlyDictionary<string, Tensor> source, string prefix = "") =>
        module.state_dict().Keys.Select(key => prefix + key).Where(source.ContainsKey).ToDictionary(key => key, key => source[key], StringComparer.Ordinal);
}
