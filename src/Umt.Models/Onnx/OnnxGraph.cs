namespace Umt.Models.Onnx;

/// <summary>
/// The computation graph of an ONNX model (<c>GraphProto</c>): its nodes in topological order, its
/// initializers (the stored tensors: weights and constants) and its inputs and outputs.
/// </summary>
public sealed class OnnxGraph
{
    // GraphProto field numbers (onnx.proto).
    private const int NodeField = 1;
    private const int NameField = 2;
    private const int InitializerField = 5;
    private const int SparseInitializerField = 15;
    private const int InputField = 11;
    private const int OutputField = 12;

    private readonly Dictionary<string, OnnxTensor> initializersByName;

    private OnnxGraph(string name, IReadOnlyList<OnnxNode> nodes, IReadOnlyList<OnnxTensor> initializers,
        Dictionary<string, OnnxTensor> initializersByName, IReadOnlyList<OnnxValueInfo> inputs, IReadOnlyList<OnnxValueInfo> outputs)
    {
        Name = name;
        Nodes = nodes;
        Initializers = initializers;
        this.initializersByName = initializersByName;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>The graph's name (PyTorch's exporter writes <c>torch-jit-export</c> or <c>main_graph</c>).</summary>
    public string Name { get; }

    /// <summary>Operator calls, in the file's (topological) order.</summary>
    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>The stored tensors, in the file's order.</summary>
    public IReadOnlyList<OnnxTensor> Initializers { get; }

    /// <summary>The values the caller feeds (initializers may be listed here too in old IR versions).</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>The values the graph returns.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    /// <summary>The initializer named <paramref name="name"/>, or null when the value is not stored.</summary>
    public OnnxTensor? FindInitializer(string name) => initializersByName.GetValueOrDefault(name);

    internal static OnnxGraph Parse(ProtoReader reader, List<OnnxTensor> created)
    {
        string name = "";
        var nodes = new List<OnnxNode>();
        var initializers = new List<OnnxTensor>();
        var byName = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var inputs = new List<OnnxValueInfo>();
        var outputs = new List<OnnxValueInfo>();
        while (reader.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case NodeField:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    string nodeContext = $"graph.node[{nodes.Count}]";
                    nodes.Add(OnnxNode.Parse(reader.ReadMessage(nodeContext), nodeContext, created));
                    break;
                case NameField:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    name = reader.ReadString();
                    break;
                case InitializerField:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    string context = $"graph.initializer[{initializers.Count}]";
                    var tensor = OnnxTensor.Parse(reader.ReadMessage(context), context);
                    created.Add(tensor);
                    if (tensor.Name.Length == 0 || !byName.TryAdd(tensor.Name, tensor))
                    {
                        // onnx.proto: each initializer has a distinct name; an unnamed one could never be used.
                        throw reader.Invalid($"initializer {initializers.Count} has an empty or repeated name '{tensor.Name}'");
                    }
                    initializers.Add(tensor);
                    break;
                case SparseInitializerField:
                    throw new NotSupportedException("The ONNX graph has sparse initializers, which this reader does not support.");
                case InputField or OutputField:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    (field == InputField ? inputs : outputs).Add(OnnxValueInfo.Parse(reader.ReadMessage(field == InputField ? "graph.input" : "graph.output")));
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        return new OnnxGraph(name, nodes, initializers, byName, inputs, outputs);
    }
}
