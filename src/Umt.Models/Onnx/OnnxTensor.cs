using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Umt.Models.Onnx;

/// <summary>A tensor stored in an ONNX file (a graph initializer or a <c>Constant</c> node's value) with its values on the CPU.</summary>
/// <param name="Name">The tensor's name (initializers are referenced by it; a <c>Constant</c>'s value may have none).</param>
/// <param name="DataType">The element type as the file declares it.</param>
/// <param name="Shape">The file's <c>dims</c>.</param>
/// <param name="Value">The values, CPU, contiguous, in the matching TorchSharp dtype.</param>
public sealed record OnnxTensor(string Name, OnnxDataType DataType, IReadOnlyList<long> Shape, Tensor Value)
{
    /// <summary>Whether the element type is a floating-point one: the types learned weights are stored in.</summary>
    public bool IsFloatingPoint => DataType is OnnxDataType.Float or OnnxDataType.Double or OnnxDataType.Float16 or OnnxDataType.BFloat16;

    // TensorProto field numbers (onnx.proto).
    private const int DimsField = 1;
    private const int DataTypeField = 2;
    private const int SegmentField = 3;
    private const int FloatDataField = 4;
    private const int Int32DataField = 5;
    private const int StringDataField = 6;
    private const int Int64DataField = 7;
    private const int NameField = 8;
    private const int RawDataField = 9;
    private const int DoubleDataField = 10;
    private const int UInt64DataField = 11;
    private const int ExternalDataField = 13;
    private const int DataLocationField = 14;
    private const int ExternalLocation = 1;

    /// <summary>Parses a <c>TensorProto</c>; the tensor is created in the current dispose scope (<see cref="OnnxModel.Parse"/> then takes it out).</summary>
    /// <exception cref="InvalidDataException">The message is malformed, or its data does not match its dims and type.</exception>
    /// <exception cref="NotSupportedException">The tensor keeps its data in an external file, in segments, or in a type TorchSharp cannot hold.</exception>
    internal static OnnxTensor Parse(ProtoReader reader, string context)
    {
        var dims = new List<long>();
        int dataType = 0;
        string name = "";
        ReadOnlySpan<byte> raw = default;
        bool hasRaw = false;
        bool external = false;
        var floats = new List<float>();
        var varints = new List<long>(); // int32_data and int64_data: only one may be used, checked below
        int varintField = 0;
        var doubles = new List<double>();
        while (reader.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case DimsField:
                    reader.ReadRepeatedVarint(wire, field, dims);
                    break;
                case DataTypeField:
                    reader.Expect(wire, WireType.Varint, field);
                    dataType = reader.ReadInt32();
                    break;
                case NameField:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    name = reader.ReadString();
                    break;
                case RawDataField:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    raw = reader.ReadBytes();
                    hasRaw = true;
                    break;
                case FloatDataField:
                    reader.ReadRepeatedFloat(wire, field, floats);
                    break;
                case Int32DataField or Int64DataField:
                    if (varintField != 0 && varintField != field)
                    {
                        throw reader.Invalid($"tensor '{name}' fills both int32_data and int64_data");
                    }
                    varintField = field;
                    reader.ReadRepeatedVarint(wire, field, varints);
                    break;
                case DoubleDataField:
                    reader.ReadRepeatedDouble(wire, field, doubles);
                    break;
                case DataLocationField:
                    reader.Expect(wire, WireType.Varint, field);
                    external |= reader.ReadInt32() == ExternalLocation;
                    break;
                case ExternalDataField:
                    reader.Skip(wire);
                    external = true;
                    break;
                case SegmentField:
                    throw new NotSupportedException($"ONNX tensor '{name}' ({context}) is stored in segments; only whole tensors are read.");
                case StringDataField or UInt64DataField:
                    throw new NotSupportedException($"ONNX tensor '{name}' ({context}) holds string or unsigned 64-bit data, which this reader does not support.");
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        string where = name.Length > 0 ? $"tensor '{name}' ({context})" : $"unnamed tensor ({context})";
        if (external)
        {
            // The data would be in another file next to the model: a path taken from the file itself,
            // which a loader of untrusted weights must not follow. Re-save the model with its data inside.
            throw new NotSupportedException($"ONNX {where} keeps its data in an external file; only self-contained models are read.");
        }

        var type = (OnnxDataType)dataType;
        var (scalarType, elementSize) = Describe(type, where);
        long count = 1;
        foreach (long dim in dims)
        {
            if (dim < 0)
            {
                throw reader.Invalid($"{where} has negative dimension {dim}");
            }
            // Overflow-checked: a hostile dims list must not wrap around to a small count.
            count = dim == 0 ? 0 : count > long.MaxValue / dim ? throw reader.Invalid($"{where} has more elements than fit in 64 bits") : count * dim;
        }

        int sources = (hasRaw ? 1 : 0) + (floats.Count > 0 ? 1 : 0) + (varints.Count > 0 ? 1 : 0) + (doubles.Count > 0 ? 1 : 0);
        if (sources > 1)
        {
            throw reader.Invalid($"{where} stores its values in more than one data field");
        }
        // Every length is checked against the element count before the tensor is allocated, so the
        // allocation is never larger than the bytes the file really holds.
        long held = hasRaw ? raw.Length / elementSize : floats.Count + varints.Count + doubles.Count;
        if ((hasRaw && raw.Length % elementSize != 0) || held != count)
        {
            throw reader.Invalid($"{where} declares {count} {type} elements but holds {(hasRaw ? $"{raw.Length} raw bytes" : $"{held} values")}");
        }
        if (sources == 1 && !hasRaw && !TypedFieldFits(type, floats.Count > 0, varintField, doubles.Count > 0))
        {
            throw reader.Invalid($"{where} stores {type} values in a data field meant for another type");
        }

        if (hasRaw && type == OnnxDataType.Bool && raw.ContainsAnyExcept((byte)0, (byte)1))
        {
            throw reader.Invalid($"{where}: BOOL data holds bytes other than 0 and 1");
        }

        var tensor = empty(dims.ToArray(), dtype: scalarType);
        var bytes = tensor.bytes;
        if (hasRaw)
        {
            raw.CopyTo(bytes);
        }
        else if (floats.Count > 0)
        {
            CollectionsMarshal.AsSpan(floats).CopyTo(MemoryMarshal.Cast<byte, float>(bytes));
        }
        else if (doubles.Count > 0)
        {
            CollectionsMarshal.AsSpan(doubles).CopyTo(MemoryMarshal.Cast<byte, double>(bytes));
        }
        else if (varints.Count > 0 && !TryStoreVarints(type, varints, bytes))
        {
            tensor.Dispose();
            throw reader.Invalid($"{where} holds a value out of range for {type}");
        }
        return new OnnxTensor(name, type, dims, tensor);
    }

    /// <summary>The TorchSharp dtype and element size of an ONNX type; unsigned types wider than a byte have no torch dtype.</summary>
    private static (ScalarType Type, int Size) Describe(OnnxDataType type, string where) => type switch
    {
        OnnxDataType.Float => (ScalarType.Float32, 4),
        OnnxDataType.Double => (ScalarType.Float64, 8),
        OnnxDataType.Float16 => (ScalarType.Float16, 2),
        OnnxDataType.BFloat16 => (ScalarType.BFloat16, 2),
        OnnxDataType.Int64 => (ScalarType.Int64, 8),
        OnnxDataType.Int32 => (ScalarType.Int32, 4),
        OnnxDataType.Int16 => (ScalarType.Int16, 2),
        OnnxDataType.Int8 => (ScalarType.Int8, 1),
        OnnxDataType.UInt8 => (ScalarType.Byte, 1),
        OnnxDataType.Bool => (ScalarType.Bool, 1),
        _ => throw new NotSupportedException($"ONNX {where} has element type {type} ({(int)type}), which this reader does not support."),
    };

    /// <summary>onnx.proto's pairing of typed data fields and element types.</summary>
    private static bool TypedFieldFits(OnnxDataType type, bool floats, int varintField, bool doubles) =>
        floats ? type == OnnxDataType.Float
        : doubles ? type == OnnxDataType.Double
        : varintField == Int64DataField ? type == OnnxDataType.Int64
        : type is OnnxDataType.Int32 or OnnxDataType.Int16 or OnnxDataType.Int8 or OnnxDataType.UInt8
            or OnnxDataType.Bool or OnnxDataType.Float16 or OnnxDataType.BFloat16;

    /// <summary>Narrows varint values into the tensor's element type; false when one does not fit.</summary>
    private static bool TryStoreVarints(OnnxDataType type, List<long> values, Span<byte> bytes)
    {
        switch (type)
        {
            case OnnxDataType.Int64:
                CollectionsMarshal.AsSpan(values).CopyTo(MemoryMarshal.Cast<byte, long>(bytes));
                return true;
            case OnnxDataType.Int32:
                return Narrow<int>(values, bytes, int.MinValue, int.MaxValue);
            case OnnxDataType.Int16:
                return Narrow<short>(values, bytes, short.MinValue, short.MaxValue);
            case OnnxDataType.Int8:
                return Narrow<sbyte>(values, bytes, sbyte.MinValue, sbyte.MaxValue);
            case OnnxDataType.UInt8:
                return Narrow<byte>(values, bytes, byte.MinValue, byte.MaxValue);
            case OnnxDataType.Bool:
                return Narrow<byte>(values, bytes, 0, 1);
            default: // Float16 and BFloat16: int32_data carries the 16 bits of each value
                return Narrow<ushort>(values, bytes, ushort.MinValue, ushort.MaxValue);
        }
    }

    private static bool Narrow<T>(List<long> values, Span<byte> bytes, long min, long max)
        where T : unmanaged, System.Numerics.INumberBase<T>
    {
        var target = MemoryMarshal.Cast<byte, T>(bytes);
        for (int i = 0; i < values.Count; i++)
        {
            long value = values[i];
            if (value < min || value > max)
            {
                return false;
            }
            target[i] = T.CreateTruncating(value);
        }
        return true;
    }
}
