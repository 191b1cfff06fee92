namespace Umt.Models.Onnx;

/// <summary>One dimension of a graph input or output: a fixed size, or a symbolic name such as <c>batch</c>.</summary>
/// <param name="Value">The size, when fixed.</param>
/// <param name="Parameter">The symbolic name, when the size varies.</param>
public sealed record OnnxDimension(long? Value, string? Parameter)
{
    public override string ToString() => Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Parameter ?? "?";
}

/// <summary>A graph input or output (ONNX <c>ValueInfoProto</c>).</summary>
/// <param name="Name">The value's name, as nodes refer to it.</param>
/// <param name="ElementType">The tensor element type (<see cref="OnnxDataType.Undefined"/> when not a tensor or not given).</param>
/// <param name="Shape">The dimensions, or null when the file gives no shape.</param>
public sealed record OnnxValueInfo(string Name, OnnxDataType ElementType, IReadOnlyList<OnnxDimension>? Shape)
{
    /// <summary>Parses a <c>ValueInfoProto</c>: name = 1, type = 2 → <c>TypeProto.tensor_type</c> = 1 → elem_type = 1, shape = 2 → dim = 1 → dim_value = 1 | dim_param = 2.</summary>
    internal static OnnxValueInfo Parse(ProtoReader reader)
    {
        string name = "";
        var elementType = OnnxDataType.Undefined;
        List<OnnxDimension>? shape = null;
        while (reader.TryReadTag(out int field, out var wire))
        {
            if (field == 1)
            {
                reader.Expect(wire, WireType.LengthDelimited, field);
                name = reader.ReadString();
            }
            else if (field == 2)
            {
                reader.Expect(wire, WireType.LengthDelimited, field);
                var type = reader.ReadMessage("value info type");
                while (type.TryReadTag(out int typeField, out var typeWire))
                {
                    // Only tensor types are read; sequences and maps (which recurse) are skipped.
                    if (typeField != 1)
                    {
                        type.Skip(typeWire);
                        continue;
                    }
                    type.Expect(typeWire, WireType.LengthDelimited, typeField);
                    (elementType, shape) = ParseTensorType(type.ReadMessage("tensor type"));
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }
        return new OnnxValueInfo(name, elementType, shape);
    }

    private static (OnnxDataType, List<OnnxDimension>?) ParseTensorType(ProtoReader reader)
    {
        var elementType = OnnxDataType.Undefined;
        List<OnnxDimension>? shape = null;
        while (reader.TryReadTag(out int field, out var wire))
        {
            if (field == 1)
            {
                reader.Expect(wire, WireType.Varint, field);
                elementType = (OnnxDataType)reader.ReadInt32();
            }
            else if (field == 2)
            {
                reader.Expect(wire, WireType.LengthDelimited, field);
                shape = [];
                var dims = reader.ReadMessage("tensor shape");
                while (dims.TryReadTag(out int dimsField, out var dimsWire))
                {
                    if (dimsField != 1)
                    {
                        dims.Skip(dimsWire);
                        continue;
                    }
                    dims.Expect(dimsWire, WireType.LengthDelimited, dimsField);
                    shape.Add(ParseDimension(dims.ReadMessage("dimension")));
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }
        return (elementType, shape);
    }

    private static OnnxDimension ParseDimension(ProtoReader reader)
    {
        long? value = null;
        string? parameter = null;
        while (reader.TryReadTag(out int field, out var wire))
        {
            if (field == 1)
            {
                reader.Expect(wire, WireType.Varint, field);
                value = reader.ReadInt64();
            }
            else if (field == 2)
            {
                reader.Expect(wire, WireType.LengthDelimited, field);
                parameter = reader.ReadString();
            }
            else
            {
                reader.Skip(wire);
            }
        }
        return new OnnxDimension(value, parameter);
    }
}
