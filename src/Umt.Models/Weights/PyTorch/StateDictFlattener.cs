using static TorchSharp.torch;

namespace Umt.Models.Weights.PyTorch;

/// <summary>
/// Turns an unpickled object tree into a flat state dict: tensors keep their names, nested dicts
/// (<c>{'model': {...}}</c>) and inert objects (a TorchScript module's attributes, an
/// <c>argparse.Namespace</c>'s options) contribute dotted
/// names, and every other leaf (ints, floats, strings, None, <c>training</c> flags, lists, tuples)
/// is skipped.
/// </summary>
internal static class StateDictFlattener
{
    /// <summary>
    /// The tensors of <paramref name="tree"/> by dotted name, in the tree's order. A tensor reached
    /// under two names (tied weights) appears under both, as separate handles to the same data.
    /// </summary>
    public static Dictionary<string, Tensor> Flatten(object? tree, Func<string, InvalidDataException> invalid)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        switch (Unwrap(tree))
        {
            case Dictionary<object, object?> dict:
                Visit(dict, "", result, seen, invalid);
                return result;
            case Tensor:
                throw invalid("the file holds a single tensor, not a dict of named tensors");
            case var other:
                throw invalid($"the file holds a {Describe(other)}, not a dict of named tensors or a TorchScript module");
        }
    }

    private static void Visit(Dictionary<object, object?> dict, string prefix, Dictionary<string, Tensor> result, HashSet<Tensor> seen, Func<string, InvalidDataException> invalid)
    {
        foreach (var (key, value) in dict)
        {
            if (key is not (string or long))
            {
                continue;   // a tuple or float key names no parameter
            }
            var name = prefix + Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture);
            switch (Unwrap(value))
            {
                case Tensor tensor:
                    if (result.ContainsKey(name))
                    {
                        throw invalid($"the name '{name}' is reached twice (a dotted key collides with a nested one)");
                    }
                    result.Add(name, seen.Add(tensor) ? tensor : tensor.alias());
                    break;
                case Dictionary<object, object?> nested:
                    Visit(nested, name + ".", result, seen, invalid);
                    break;
                default:
                    break;   // a non-tensor leaf
            }
        }
    }

    /// <summary>An inert object is its attribute dict; anything else is itself.</summary>
    private static object? Unwrap(object? value) => value is InertObject instance ? instance.State : value;

    private static string Describe(object? value) => value switch
    {
        null => "None",
        InertObject instance => $"{instance.ClassName} object",
        _ => value.GetType().Name,
    };
}
