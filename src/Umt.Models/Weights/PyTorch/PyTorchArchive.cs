using System.IO.Compression;
using System.Text;
using static TorchSharp.torch;

namespace Umt.Models.Weights.PyTorch;

/// <summary>
/// The zip container that <c>torch.save</c> (PyTorch ≥ 1.6) and <c>torch.jit.save</c> write:
/// <c>&lt;root&gt;/data.pkl</c> (the object tree), <c>&lt;root&gt;/data/&lt;key&gt;</c> (one record of raw
/// little-endian bytes per storage), and for TorchScript also <c>constants.pkl</c> and <c>code/</c>,
/// which are never read. Opening recognises the container by its first bytes; a legacy (non-zip)
/// <c>torch.save</c> file is refused with advice.
/// </summary>
internal sealed class PyTorchArchive : IDisposable
{
    private const string PickleName = "data.pkl";

    private readonly string path;
    private readonly ZipArchive zip;
    private readonly string root;
    private readonly ArchiveByteBudget budget;
    private readonly Dictionary<string, TorchStorage> storages = new(StringComparer.Ordinal);
    private readonly Action<long>? bytesRead;
    private long storageBytes;

    private PyTorchArchive(string path, ZipArchive zip, string root, ArchiveByteBudget budget, Action<long>? bytesRead)
    {
        this.bytesRead = bytesRead;
        this.path = path;
        this.zip = zip;
        this.root = root;
        this.budget = budget;
    }

    /// <summary>Opens <paramref name="path"/> and finds its root folder.</summary>
    /// <param name="bytesRead">Called after each storage record with the storage bytes read so far, for a progress display.</param>
    /// <exception cref="InvalidDataException">Not a PyTorch zip archive, a legacy one, or a damaged one.</exception>
    public static PyTorchArchive Open(string path, Action<long>? bytesRead = null)
    {
        var stream = File.OpenRead(path);
        try
        {
            CheckContainer(path, stream);
            stream.Position = 0;
            ZipArchive zip;
            try
            {
                zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            }
            catch (InvalidDataException e)
            {
                throw Invalid(path, $"the zip archive is truncated or corrupt ({e.Message})");
            }
            try
            {
                var archive = new PyTorchArchive(path, zip, FindRoot(path, zip), new ArchiveByteBudget(path, stream.Length), bytesRead);
                archive.CheckByteOrder();
                return archive;
            }
            catch
            {
                zip.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The archive's object tree (<c>&lt;root&gt;/data.pkl</c>), tensors loaded onto the CPU in the caller's dispose scope.</summary>
    public object? ReadObjectTree()
    {
        var name = $"{root}/{PickleName}";
        var pickle = ReadRecord(name);
        return new RestrictedUnpickler(path, name, pickle, LoadPersistent, budget).Load();
    }

    /// <inheritdoc/>
    public void Dispose() => zip.Dispose();

    /// <summary>A persistent id: <c>('storage', torch.XxxStorage, key, location, numel)</c> → the storage, loaded once per key.</summary>
    private TorchStorage LoadPersistent(object? id)
    {
        if (id is not object?[] { Length: 5 } tuple || tuple[0] is not "storage"
            || tuple[1] is not PickleGlobal { Kind: PickleGlobalKind.Storage } storageType
            || tuple[2] is not string key || tuple[4] is not long numel || numel < 0)
        {
            throw Invalid(path, "a persistent id is not ('storage', StorageType, key, location, numel)");
        }
        if (storages.TryGetValue(key, out var known))
        {
            return known.Data.dtype == storageType.StorageType && known.Numel == numel
                ? known
                : throw Invalid(path, $"storage '{key}' is named with two different types or sizes");
        }

        var size = storageType.StorageElementSize;
        if (numel > int.MaxValue / size)
        {
            throw new NotSupportedException($"'{path}': storage '{key}' holds {numel} elements of {size} bytes; storages over 2 GiB are not supported.");
        }
        var byteLength = (int)(numel * size);
        var recordName = $"{root}/data/{key}";
        var entry = zip.GetEntry(recordName) ?? throw Invalid(path, $"the storage record '{recordName}' is missing");
        if (entry.Length != byteLength)
        {
            throw Invalid(path, $"the storage record '{recordName}' holds {entry.Length} bytes, not the {byteLength} its {numel} {storageType.Name} elements need");
        }
        budget.Charge(byteLength, $"the storage record '{recordName}'");

        var data = empty(numel, dtype: storageType.StorageType);
        try
        {
            ReadWhole(entry, data.bytes);   // the CPU tensor's own storage: no intermediate copy
        }
        catch
        {
            data.Dispose();
            throw;
        }
        if (storageType.StorageType == ScalarType.Bool && data.bytes.ContainsAnyExcept((byte)0, (byte)1))
        {
            data.Dispose();
            throw Invalid(path, $"the bool storage '{key}' holds bytes other than 0 and 1");
        }
        var storage = new TorchStorage(key, data);
        storages.Add(key, storage);
        storageBytes += byteLength;
        bytesRead?.Invoke(storageBytes);
        return storage;
    }

    private byte[] ReadRecord(string name)
    {
        var entry = zip.GetEntry(name) ?? throw Invalid(path, $"the record '{name}' is missing");
        if (entry.Length > int.MaxValue)
        {
            throw Invalid(path, $"the record '{name}' holds {entry.Length} bytes, more than a pickle can");
        }
        budget.Charge(entry.Length, $"the record '{name}'");
        var bytes = new byte[entry.Length];
        ReadWhole(entry, bytes);
        return bytes;
    }

    /// <summary>
    /// Fills <paramref name="target"/>, sized from the zip header's declared length (already
    /// charged to the budget), with the record. The zip reader's entry stream ends at that declared
    /// length whatever the compressed data would inflate to, so the header cannot make the reader
    /// decompress more than was charged; a record that is shorter is reported as corrupt.
    /// </summary>
    private void ReadWhole(ZipArchiveEntry entry, Span<byte> target)
    {
        try
        {
            using var record = entry.Open();
            record.ReadExactly(target);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw Invalid(path, $"the record '{entry.FullName}' cannot be read; the archive is truncated or corrupt ({e.Message})");
        }
    }

    /// <summary>PyTorch ≥ 2.1 records the writer's byte order; storages are read as little-endian.</summary>
    private void CheckByteOrder()
    {
        var name = $"{root}/byteorder";
        if (zip.GetEntry(name) is null)
        {
            return;   // older writers: always little-endian
        }
        var order = Encoding.ASCII.GetString(ReadRecord(name)).Trim();
        if (order != "little")
        {
            throw Invalid(path, $"the archive was written with byte order '{order}'; only little-endian archives are supported");
        }
    }

    private static void CheckContainer(string path, FileStream stream)
    {
        const string resave = "Re-save it with a recent PyTorch: torch.save(torch.load(old_path, map_location='cpu'), new_path)";
        switch (TorchSaveFormats.Recognise(stream))
        {
            case TorchSaveFormat.Zip:
                return;
            case TorchSaveFormat.LegacyPickle:
                throw Invalid(path, "this is a legacy torch.save file (the non-zip format of PyTorch < 1.6, or _use_new_zipfile_serialization=False), " +
                    $"which is not supported. {resave}");
            case TorchSaveFormat.LegacyTar:
                throw Invalid(path, $"this is a legacy tar-format torch.save file (PyTorch ≤ 0.3), which is not supported. {resave}");
            default:
                throw Invalid(path, "this is not a PyTorch zip archive (torch.save ≥ 1.6 or torch.jit.save): it does not start with a zip header");
        }
    }

    private static string FindRoot(string path, ZipArchive zip)
    {
        var roots = zip.Entries
            .Select(e => e.FullName)
            .Where(n => n.EndsWith("/" + PickleName, StringComparison.Ordinal) && n.IndexOf('/') == n.Length - PickleName.Length - 1)
            .Select(n => n[..^(PickleName.Length + 1)])
            .ToList();
        return roots.Count switch
        {
            1 => roots[0],
            0 => throw Invalid(path, $"the zip archive has no <root>/{PickleName}; it is not a torch.save or TorchScript archive"),
            _ => throw Invalid(path, $"the zip archive has {roots.Count} <root>/{PickleName} records ({string.Join(", ", roots)})"),
        };
    }

    private static InvalidDataException Invalid(string path, string problem) => new($"Invalid PyTorch weight file '{path}': {problem}.");
}
