namespace Umt.Models.Onnx;

/// <summary>One operator call of the graph (ONNX <c>NodeProto</c>).</summary>
/// <param name="Name">The node's optional name.</param>
/// <param name="OpType">The operator, e.g. <c>MatMul</c>.</param>
/// <param name="Domain">The operator set's domain; empty for the standard <c>ai.onnx</c> one.</param>
/// <param name="Inputs">Names of the values it reads, in operator order (an empty name is an omitted optional input).</param>
/// <param name="Outputs">Names of the values it produces.</param>
/// <param name="Attributes">Its attributes by name.</param>
public sealed record OnnxNode(
    string Name,
    string OpType,
    string Domain,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, OnnxAttribute> Attributes)
{
    /// <summary>An integer attribute, or <paramref name="fallback"/> (the operator's default) when absent.</summary>
    public long IntAttribute(string name, long fallback) => Attributes.TryGetValue(name, out var attribute) ? attribute.Int : fallback;

    /// <summary>Parses a <c>NodeProto</c>: input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7.</summary>
    internal static OnnxNode Parse(ProtoReader reader, string context, List<OnnxTensor> created)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        string name = "";
        string opType = "";
        string domain = "";
        var attributes = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
        while (reader.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    inputs.Add(reader.ReadString());
                    break;
                case 2:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    outputs.Add(reader.ReadString());
                    break;
                case 3:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    name = reader.ReadString();
                    break;
                case 4:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    opType = reader.ReadString();
                    break;
                case 5:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    var attribute = OnnxAttribute.Parse(reader.ReadMessage($"{context} attribute"), context, created);
                    if (!attributes.TryAdd(attribute.Name, attribute))
                    {
                        throw reader.Invalid($"attribute '{attribute.Name}' appears twice");
                    }
                    break;
                case 7:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    domain = reader.ReadString();
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        return new OnnxNode(name, opType, domain, inputs, outputs, attributes);
    }
}
