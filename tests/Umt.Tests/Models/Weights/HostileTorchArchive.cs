using System.IO.Compression;
using System.Text;

namespace Umt.Tests.Models.Weights;

/// <summary>
/// Writes <c>torch.save</c>-shaped archives whose tensor views and records say whatever a test
/// wants, including what PyTorch itself would never write (strides past the storage, records
/// that disagree with their storage, deflated records): <c>{name: _rebuild_tensor_v2(storage,
/// offset, size, stride, False, OrderedDict())}</c> over <c>FloatStorage</c>s.
/// </summary>
internal static class HostileTorchArchive
{
    /// <summary>One dict entry: a view of the float storage <paramref name="StorageKey"/>, which the pickle says holds <paramref name="StorageNumel"/> elements.</summary>
    public sealed record View(string Name, string StorageKey, long StorageNumel, long Offset, long[] Size, long[] Stride);

    /// <param name="path">The archive to create.</param>
    /// <param name="views">The dict's entries, in order.</param>
    /// <param name="records">The bytes of each <c>archive/data/&lt;key&gt;</c> record.</param>
    /// <param name="compression">How every record is stored; <c>torch.save</c> itself never compresses.</param>
    /// <param name="pickle">Replaces the pickle built from <paramref name="views"/> when given.</param>
    public static void Write(string path, IReadOnlyList<View> views, IReadOnlyDictionary<string, byte[]> records,
        CompressionLevel compression = CompressionLevel.NoCompression, byte[]? pickle = null)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Record(zip, "archive/data.pkl", pickle ?? Pickle(views), compression);
        foreach (var (key, bytes) in records)
        {
            Record(zip, $"archive/data/{key}", bytes, compression);
        }
    }

    /// <summary>
    /// Rewrites the uncompressed size that the local and central headers of <paramref name="record"/>
    /// declare (the archive must have been written to a file, so the sizes sit in the headers).
    /// </summary>
    public static void DeclareUncompressedSize(string path, string record, int size)
    {
        var bytes = File.ReadAllBytes(path);
        var name = Encoding.ASCII.GetBytes(record);
        var patched = 0;
        // (signature, offset of the name, offset of the uncompressed size) of a local and a central header
        foreach (var (signature, nameAt, sizeAt) in new[] { (0x04034b50u, 30, 22), (0x02014b50u, 46, 24) })
        {
            for (var i = 0; i + nameAt + name.Length <= bytes.Length; i++)
            {
                if (BitConverter.ToUInt32(bytes, i) == signature && bytes.AsSpan(i + nameAt, name.Length).SequenceEqual(name))
                {
                    BitConverter.GetBytes(size).CopyTo(bytes, i + sizeAt);
                    patched++;
                }
            }
        }
        if (patched != 2)
        {
            throw new InvalidOperationException($"'{record}' has {patched} headers in '{path}', not a local and a central one.");
        }
        File.WriteAllBytes(path, bytes);
    }

    private static void Record(ZipArchive zip, string name, byte[] bytes, CompressionLevel compression)
    {
        using var stream = zip.CreateEntry(name, compression).Open();
        stream.Write(bytes);
    }

    private static byte[] Pickle(IReadOnlyList<View> views)
    {
        var w = new MemoryStream();
        w.Write([0x80, 0x02, (byte)'}', (byte)'(']);                      // PROTO 2, EMPTY_DICT, MARK
        foreach (var view in views)
        {
            Unicode(w, view.Name);
            Global(w, "torch._utils", "_rebuild_tensor_v2");
            w.Write([(byte)'(', (byte)'(']);                               // MARK args, MARK persistent id
            Unicode(w, "storage");
            Global(w, "torch", "FloatStorage");
            Unicode(w, view.StorageKey);
            Unicode(w, "cpu");
            Int(w, view.StorageNumel);
            w.Write([(byte)'t', (byte)'Q']);                               // TUPLE, BINPERSID
            Int(w, view.Offset);
            Tuple(w, view.Size);
            Tuple(w, view.Stride);
            w.WriteByte(0x89);                                             // NEWFALSE: requires_grad
            Global(w, "collections", "OrderedDict");
            w.Write([(byte)')', (byte)'R', (byte)'t', (byte)'R']);        // EMPTY_TUPLE, REDUCE, TUPLE, REDUCE
        }
        w.Write([(byte)'u', (byte)'.']);                                   // SETITEMS, STOP
        return w.ToArray();
    }

    private static void Tuple(MemoryStream w, long[] values)
    {
        w.WriteByte((byte)'(');
        foreach (var value in values)
        {
            Int(w, value);
        }
        w.WriteByte((byte)'t');
    }

    private static void Global(MemoryStream w, string module, string name)
    {
        w.WriteByte((byte)'c');
        w.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private static void Unicode(MemoryStream w, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        w.WriteByte((byte)'X');
        w.Write(BitConverter.GetBytes((uint)bytes.Length));
        w.Write(bytes);
    }

    /// <summary>LONG1 with 8 little-endian two's-complement bytes: any long, negative ones included.</summary>
    private static void Int(MemoryStream w, long value)
    {
        w.Write([0x8a, 8]);
        w.Write(BitConverter.GetBytes(value));
    }
}
