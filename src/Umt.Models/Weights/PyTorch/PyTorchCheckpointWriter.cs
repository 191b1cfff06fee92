using System.IO.Compression;
using System.Text;
using static TorchSharp.torch;

namespace Umt.Models.Weights.PyTorch;

/// <summary>
/// Writes <c>{'model': OrderedDict(name → tensor)}</c>, or the bare OrderedDict, as <c>torch.save</c> does (PyTorch ≥ 1.6 zip
/// format), so the reference's PyTorch code can <c>torch.load</c> a checkpoint of this project:
/// <c>archive/data.pkl</c> (pickle protocol 2), one <c>archive/data/N</c> record of raw
/// little-endian bytes per tensor, <c>archive/version</c>. The pickle names only what
/// <c>torch.load</c>'s default (and <c>weights_only=True</c>) unpickler accepts:
/// <c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c> and the typed storage classes.
/// </summary>
public static class PyTorchCheckpointWriter
{
    private const string Root = "archive";

    /// <summary>Writes atomically (a temporary file renamed over <paramref name="path"/>).</summary>
    /// <param name="tensors">Name → tensor, written in this order; any device and dtype torch has a storage class for.</param>
    /// <param name="wrapper">
    /// Top-level key holding the state dict (the reference's trainers save <c>'model'</c>); null
    /// writes the bare state dict, for loaders that hand <c>torch.load</c>'s result straight to
    /// <c>load_state_dict</c>.
    /// </param>
    /// <param name="bytesWritten">Called after each tensor record with the tensor bytes written so far, for a progress display.</param>
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, string? wrapper = "model", Action<long>? bytesWritten = null)
    {
        string temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
        {
            Record(zip, "data.pkl", Pickle(tensors, wrapper));
            long written = 0;
            for (int i = 0; i < tensors.Count; i++)
            {
                var bytes = Bytes(tensors[i].Value);
                Record(zip, $"data/{i}", bytes);
                written += bytes.Length;
                bytesWritten?.Invoke(written);
            }
            Record(zip, "version", Encoding.ASCII.GetBytes("3\n"));
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Stored, not deflated: torch reads records in place.</summary>
    private static void Record(ZipArchive zip, string name, byte[] data)
    {
        var entry = zip.CreateEntry($"{Root}/{name}", CompressionLevel.NoCompression);
        using var output = entry.Open();
        output.Write(data);
    }

    private static byte[] Bytes(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        var bytes = new byte[cpu.NumberOfElements * cpu.ElementSize];
        cpu.bytes.CopyTo(bytes);
        return bytes;
    }

    /// <summary>The object tree as protocol-2 opcodes (pickletools names in the comments).</summary>
    private static byte[] Pickle(IReadOnlyList<KeyValuePair<string, Tensor>> tensors, string? wrapper)
    {
        using var buffer = new MemoryStream();
        using var w = new BinaryWriter(buffer, Encoding.UTF8);
        w.Write((byte)0x80); w.Write((byte)2);                          // PROTO 2
        if (wrapper is not null)
        {
            w.Write((byte)'}');                                           // EMPTY_DICT
            Unicode(w, wrapper);
        }
        NewOrderedDict(w);
        if (tensors.Count > 0)
        {
            w.Write((byte)'(');                                           // MARK
            for (int i = 0; i < tensors.Count; i++)
            {
                Unicode(w, tensors[i].Key);
                TensorValue(w, tensors[i].Value, i);
            }
            w.Write((byte)'u');                                           // SETITEMS into the OrderedDict
        }
        if (wrapper is not null)
        {
            w.Write((byte)'s');                                           // SETITEM wrapper → OrderedDict
        }
        w.Write((byte)'.');                                               // STOP
        w.Flush();
        return buffer.ToArray();
    }

    /// <summary><c>_rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())</c>.</summary>
    private static void TensorValue(BinaryWriter w, Tensor tensor, int record)
    {
        Global(w, "torch._utils", "_rebuild_tensor_v2");
        w.Write((byte)'(');                                               // MARK
        w.Write((byte)'(');                                               // MARK: the persistent id tuple
        Unicode(w, "storage");
        Global(w, "torch", TorchStorageTypes.NameOf(tensor.dtype));
        Unicode(w, record.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Unicode(w, "cpu");
        Int(w, tensor.NumberOfElements);
        w.Write((byte)'t');                                               // TUPLE
        w.Write((byte)'Q');                                               // BINPERSID
        Int(w, 0);                                                        // storage offset
        Tuple(w, tensor.shape);
        Tuple(w, ContiguousStrides(tensor.shape));
        w.Write((byte)0x89);                                              // NEWFALSE: requires_grad
        NewOrderedDict(w);                                                // backward hooks
        w.Write((byte)'t');                                               // TUPLE
        w.Write((byte)'R');                                               // REDUCE
    }

    private static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= shape[i];
        }
        return strides;
    }

    private static void NewOrderedDict(BinaryWriter w)
    {
        Global(w, "collections", "OrderedDict");
        w.Write((byte)')');                                               // EMPTY_TUPLE
        w.Write((byte)'R');                                               // REDUCE
    }

    private static void Tuple(BinaryWriter w, long[] values)
    {
        w.Write((byte)'(');                                               // MARK
        foreach (long value in values)
        {
            Int(w, value);
        }
        w.Write((byte)'t');                                               // TUPLE
    }

    private static void Global(BinaryWriter w, string module, string name)
    {
        w.Write((byte)'c');                                               // GLOBAL
        w.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private static void Unicode(BinaryWriter w, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        w.Write((byte)'X');                                               // BINUNICODE
        w.Write((uint)bytes.Length);
        w.Write(bytes);
    }

    private static void Int(BinaryWriter w, long value)
    {
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            w.Write((byte)'J');                                           // BININT
            w.Write((int)value);
            return;
        }
        w.Write((byte)0x8a);                                              // LONG1: 8 little-endian two's-complement bytes
        w.Write((byte)8);
        w.Write(value);
    }
}
