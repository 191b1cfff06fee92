using static TorchSharp.torch;

namespace Umt.Models.Weights;

/// <summary>One tensor described by a safetensors header.</summary>
/// <param name="Name">Tensor name (the state_dict key).</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Shape; empty for a scalar.</param>
/// <param name="Begin">First byte, relative to the start of the data section.</param>
/// <param name="End">One past the last byte, relative to the start of the data section.</param>
public sealed record SafetensorsEntry(string Name, ScalarType DType, IReadOnlyList<long> Shape, long Begin, long End)
{
    /// <summary>Byte length of the tensor's data.</summary>
    public long ByteLength => End - Begin;
}
