namespace Umt.Models.Onnx;

/// <summary>ONNX <c>AttributeProto.AttributeType</c> (values as in onnx.proto).</summary>
public enum OnnxAttributeType
{
    Undefined = 0,
    Float = 1,
    Int = 2,
    String = 3,
    Tensor = 4,
    Graph = 5,
    Floats = 6,
    Ints = 7,
    Strings = 8,
    Tensors = 9,
    Graphs = 10,
    SparseTensor = 11,
    SparseTensors = 12,
}

/// <summary>
/// A node attribute (ONNX <c>AttributeProto</c>). Scalars, strings, lists of numbers and a single
/// tensor are read; sub-graphs and sparse or listed tensors are only named by <see cref="Type"/>
/// (nothing here walks into a sub-graph, so their content is skipped).
/// </summary>
/// <param name="Name">The attribute's name, e.g. <c>transB</c> or <c>value</c>.</param>
/// <param name="Type">Which of the value fields is meant.</param>
/// <param name="Float">The <c>f</c> field.</param>
/// <param name="Int">The <c>i</c> field.</param>
/// <param name="String">The <c>s</c> field, as UTF-8 text.</param>
/// <param name="Tensor">The <c>t</c> field (a <c>Constant</c> node's value), or null.</param>
/// <param name="Floats">The <c>floats</c> field.</param>
/// <param name="Ints">The <c>ints</c> field.</param>
public sealed record OnnxAttribute(
    string Name,
    OnnxAttributeType Type,
    float Float,
    long Int,
    string String,
    OnnxTensor? Tensor,
    IReadOnlyList<float> Floats,
    IReadOnlyList<long> Ints)
{
    // AttributeProto field numbers (onnx.proto).
    private const int NameField = 1;
    private const int FloatField = 2;
    private const int IntField = 3;
    private const int StringField = 4;
    private const int TensorField = 5;
    private const int FloatsField = 7;
    private const int IntsField = 8;
    private const int TypeField = 20;

    internal static OnnxAttribute Parse(ProtoReader reader, string context, List<OnnxTensor> created)
    {
        string name = "";
        var type = OnnxAttributeType.Undefined;
        float single = 0;
        long integer = 0;
        string text = "";
        OnnxTensor? tensor = null;
        var floats = new List<float>();
        var ints = new List<long>();
        while (reader.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case NameField:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    name = reader.ReadString();
                    break;
                case TypeField:
                    reader.Expect(wire, WireType.Varint, field);
                    type = (OnnxAttributeType)reader.ReadInt32();
                    break;
                case FloatField:
                    reader.Expect(wire, WireType.Fixed32, field);
                    single = BitConverter.UInt32BitsToSingle(reader.ReadFixed32());
                    break;
                case IntField:
                    reader.Expect(wire, WireType.Varint, field);
                    integer = reader.ReadInt64();
                    break;
                case StringField:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    text = reader.ReadString();
                    break;
                case TensorField:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    if (tensor is not null)
                    {
                        throw reader.Invalid($"attribute '{name}' holds two tensors");
                    }
                    tensor = OnnxTensor.Parse(reader.ReadMessage($"{context} attribute '{name}'"), $"{context} attribute '{name}'");
                    created.Add(tensor);
                    break;
                case FloatsField:
                    reader.ReadRepeatedFloat(wire, field, floats);
                    break;
                case IntsField:
                    reader.ReadRepeatedVarint(wire, field, ints);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        return new OnnxAttribute(name, type, single, integer, text, tensor, floats, ints);
    }
}
