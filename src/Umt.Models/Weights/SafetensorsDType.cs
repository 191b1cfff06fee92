using static TorchSharp.torch;

namespace Umt.Models.Weights;

/// <summary>The safetensors dtype names this project reads and writes, and their element sizes.</summary>
/// <remarks>
/// Listed in the order of huggingface/safetensors' <c>Dtype</c> enum (increasing alignment). Its
/// writer lays tensors out by descending position in that enum, then by name; so does ours, which
/// keeps every tensor aligned to its element size and makes our files byte-identical to its own.
/// </remarks>
internal static class SafetensorsDType
{
    private static readonly (string Name, ScalarType Type, int Size)[] Known =
    [
        ("BOOL", ScalarType.Bool, 1),
        ("U8", ScalarType.Byte, 1),
        ("I8", ScalarType.Int8, 1),
        ("I16", ScalarType.Int16, 2),
        ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2),
        ("I32", ScalarType.Int32, 4),
        ("F32", ScalarType.Float32, 4),
        ("F64", ScalarType.Float64, 8),
        ("I64", ScalarType.Int64, 8),
    ];

    /// <summary>All dtype names, for error messages.</summary>
    public static string KnownNames => string.Join(", ", Known.Select(k => k.Name));

    /// <summary>The dtype called <paramref name="name"/> in a header.</summary>
    public static bool TryParse(string name, out ScalarType type, out int size)
    {
        var index = Array.FindIndex(Known, k => k.Name == name);
        (type, size) = index >= 0 ? (Known[index].Type, Known[index].Size) : (default, 0);
        return index >= 0;
    }

    /// <summary>The header name, element size and layout rank (higher is written first) of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">Safetensors files here have no such dtype.</exception>
    public static (string Name, int Size, int Rank) Describe(ScalarType type, string tensorName)
    {
        var rank = Array.FindIndex(Known, k => k.Type == type);
        return rank >= 0
            ? (Known[rank].Name, Known[rank].Size, rank)
            : throw new ArgumentException($"Tensor '{tensorName}' has dtype {type}, which safetensors files here do not support ({KnownNames}).");
    }
}
