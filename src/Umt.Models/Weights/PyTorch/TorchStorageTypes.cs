using static TorchSharp.torch;

namespace Umt.Models.Weights.PyTorch;

/// <summary>The typed storage classes of the <c>torch</c> module that persistent ids name, and their element types.</summary>
internal static class TorchStorageTypes
{
    private static readonly Dictionary<string, (ScalarType Type, int Size)> Known = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = (ScalarType.Float32, 4),
        ["HalfStorage"] = (ScalarType.Float16, 2),
        ["BFloat16Storage"] = (ScalarType.BFloat16, 2),
        ["DoubleStorage"] = (ScalarType.Float64, 8),
        ["LongStorage"] = (ScalarType.Int64, 8),
        ["IntStorage"] = (ScalarType.Int32, 4),
        ["ShortStorage"] = (ScalarType.Int16, 2),
        ["CharStorage"] = (ScalarType.Int8, 1),
        ["ByteStorage"] = (ScalarType.Byte, 1),
        ["BoolStorage"] = (ScalarType.Bool, 1),
    };

    /// <summary>The storage class that holds elements of <paramref name="type"/> (for writing).</summary>
    public static string NameOf(ScalarType type) =>
        Known.FirstOrDefault(kv => kv.Value.Type == type).Key ?? throw new ArgumentException($"No torch storage class holds {type}.", nameof(type));

    /// <summary>The element type and size of <c>torch.<paramref name="name"/></c>, if it is a storage class.</summary>
    public static bool TryGet(string name, out ScalarType type, out int size)
    {
        var found = Known.TryGetValue(name, out var entry);
        (type, size) = entry;
        return found;
    }
}
