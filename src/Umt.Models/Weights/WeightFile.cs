using static TorchSharp.torch;

namespace Umt.Models.Weights;

/// <summary>Reads a weight file of any supported container as a flat name → tensor map, without executing anything.</summary>
public static class WeightFile
{
    /// <summary>
    /// Reads safetensors directly and PyTorch zip archives (<c>torch.save</c>, TorchScript) through
    /// the restricted unpickler; the container is recognised by its first bytes, not its extension.
    /// </summary>
    /// <exception cref="InvalidDataException">Neither container, or a corrupt one.</exception>
    public static Dictionary<string, Tensor> ReadStateDict(string path) =>
        IsPyTorchArchive(path) ? PyTorch.PyTorchCheckpoint.ReadStateDict(path) : SafetensorsFile.Read(path);

    /// <summary>
    /// Whether <paramref name="path"/> starts like a zip archive (<c>PK\x03\x04</c>), the container
    /// of <c>torch.save</c> (≥ 1.6) and <c>torch.jit.save</c>; anything else is read as safetensors.
    /// </summary>
    public static bool IsPyTorchArchive(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        if (stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4)
        {
            throw new InvalidDataException($"'{path}' is too short to be a weight file.");
        }
        return head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4;
    }
}
