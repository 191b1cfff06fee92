using System.Buffers.Binary;
using static TorchSharp.torch;

namespace Umt.Models.Weights;

/// <summary>
/// Reads and writes huggingface safetensors files: an 8-byte little-endian header length, a JSON
/// header (<see cref="SafetensorsHeader"/>), then every tensor's raw little-endian bytes. Reading
/// validates the whole header before allocating anything and only ever copies bytes: a weight
/// file cannot run code, and a damaged one fails with an <see cref="InvalidDataException"/>.
/// </summary>
public static class SafetensorsFile
{
    private const int LengthPrefixBytes = 8;

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device, layout or autograd state; CPU-contiguous
    /// copies are written) in a fixed order (see <see cref="Plan"/>), so equal inputs give
    /// identical files, byte for byte the ones huggingface/safetensors writes.
    /// </summary>
    /// <param name="bytesWritten">Called after each tensor with the tensor bytes written so far (of <see cref="DataBytes"/>), for a progress display.</param>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null, Action<long>? bytesWritten = null)
    {
        var entries = Plan(tensors);
        var header = SafetensorsHeader.Encode(entries, metadata);

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Span<byte> lengthPrefix = stackalloc byte[LengthPrefixBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthPrefix, (ulong)header.Length);
        stream.Write(lengthPrefix);
        stream.Write(header);
        foreach (var entry in entries)
        {
            // One scope per tensor: at most one CPU copy is alive at a time.
            using var scope = NewDisposeScope();
            var data = tensors[entry.Name].detach().cpu().contiguous();
            stream.Write(data.bytes);
            bytesWritten?.Invoke(entry.End);
        }
    }

    /// <summary>
    /// <see cref="Write"/> to a temporary file beside <paramref name="path"/>, flushed to disk, then
    /// renamed over it: a reader sees the old file or the complete new one, never a torn one.
    /// </summary>
    public static void WriteAtomic(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null, Action<long>? bytesWritten = null)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = $"{full}.tmp-{Environment.ProcessId}";
        try
        {
            Write(temporary, tensors, metadata, bytesWritten);
            using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite))
            {
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary); // no-op after the rename
        }
    }

    /// <summary>Bytes of tensor data <see cref="Write"/> writes for <paramref name="tensors"/> (the file less its header).</summary>
    public static long DataBytes(IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.Values.Sum(t => t.numel() * t.ElementSize);

    /// <summary>Reads and validates only the header: names, dtypes, shapes and byte ranges.</summary>
    public static SafetensorsHeader ReadHeader(string path)
    {
        using var stream = File.OpenRead(path);
        return ReadHeader(path, stream);
    }

    /// <summary>
    /// Reads every tensor onto the CPU. The tensors belong to the caller's dispose scope; on any
    /// error none is left behind.
    /// </summary>
    /// <param name="bytesRead">Called after each tensor with the tensor bytes read so far (the file less its header), for a progress display.</param>
    public static Dictionary<string, Tensor> Read(string path, Action<long>? bytesRead = null)
    {
        using var stream = File.OpenRead(path);
        var header = ReadHeader(path, stream);
        var dataStart = stream.Position;

        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in header.Tensors.Values.OrderBy(e => e.Begin))
        {
            if (entry.ByteLength > int.MaxValue)
            {
                throw new NotSupportedException($"'{path}': tensor '{entry.Name}' holds {entry.ByteLength} bytes; tensors over 2 GiB are not supported.");
            }
            var tensor = empty(entry.Shape.ToArray(), dtype: entry.DType);
            stream.Position = dataStart + entry.Begin;
            stream.ReadExactly(tensor.bytes);   // the CPU tensor's own storage: no intermediate copy
            if (entry.DType == ScalarType.Bool && tensor.bytes.ContainsAnyExcept((byte)0, (byte)1))
            {
                throw SafetensorsHeader.Invalid(path, $"tensor '{entry.Name}': BOOL data holds bytes other than 0 and 1");
            }
            tensors.Add(entry.Name, tensor);
            bytesRead?.Invoke(entry.End);
        }
        scope.MoveToOuter(tensors.Values);
        return tensors;
    }

    /// <summary>Byte ranges in the reference writer's order: descending dtype rank (wider elements first), then name.</summary>
    private static List<SafetensorsEntry> Plan(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var described = tensors.Select(pair =>
        {
            if (pair.Key.Length == 0 || pair.Key == SafetensorsHeader.MetadataKey)
            {
                throw new ArgumentException($"'{pair.Key}' cannot name a tensor in a safetensors file.", nameof(tensors));
            }
            var (_, size, rank) = SafetensorsDType.Describe(pair.Value.dtype, pair.Key);
            return (Name: pair.Key, Tensor: pair.Value, Size: size, Rank: rank);
        });

        var entries = new List<SafetensorsEntry>(tensors.Count);
        long offset = 0;
        foreach (var (name, tensor, size, _) in described.OrderByDescending(d => d.Rank).ThenBy(d => d.Name, StringComparer.Ordinal))
        {
            var byteLength = tensor.numel() * size;
            entries.Add(new SafetensorsEntry(name, tensor.dtype, tensor.shape, offset, offset + byteLength));
            offset += byteLength;
        }
        return entries;
    }

    private static SafetensorsHeader ReadHeader(string path, FileStream stream)
    {
        var fileLength = stream.Length;
        if (fileLength < LengthPrefixBytes)
        {
            throw SafetensorsHeader.Invalid(path, $"the file holds {fileLength} bytes, fewer than the {LengthPrefixBytes}-byte header length");
        }
        Span<byte> lengthPrefix = stackalloc byte[LengthPrefixBytes];
        stream.ReadExactly(lengthPrefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthPrefix);
        var available = fileLength - LengthPrefixBytes;
        if (headerLength > (ulong)available || headerLength > SafetensorsHeader.MaxHeaderBytes)
        {
            throw SafetensorsHeader.Invalid(path, $"the header length {headerLength} exceeds the {available} bytes that follow it (or the {SafetensorsHeader.MaxHeaderBytes}-byte limit)");
        }
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        return SafetensorsHeader.Parse(path, header, available - (long)headerLength);
    }
}
