using static TorchSharp.torch;

namespace Umt.Models.Weights;

/// <summary>Reads a weight file of any supported container as a flat name → tensor map, without executing anything.</summary>
public static class WeightFile
{
    /// <summary>
    /// Reads safetensors directly and PyTorch zip archives (<c>torch.save</c>, TorchScript) through
    /// the restricted unpickler; the container is recognised by its first bytes, not its extension,
    /// so a legacy <c>torch.save</c> file is named as one rather than read as damaged safetensors.
    /// </summary>
    /// <exception cref="InvalidDataException">Neither container, or a corrupt one.</exception>
    /// <param name="bytesRead">Called as tensors arrive with the tensor bytes read so far (about the file's length at the end), for a progress display.</param>
    public static Dictionary<string, Tensor> ReadStateDict(string path, Action<long>? bytesRead = null) =>
        IsPyTorchArchive(path) ? PyTorch.PyTorchCheckpoint.ReadStateDict(path, bytesRead) : SafetensorsFile.Read(path, bytesRead);

    /// <summary>
    /// Whether <paramref name="path"/> is a file <c>torch.save</c> or <c>torch.jit.save</c> wrote:
    /// a zip archive (≥ 1.6), or a legacy pickle or tar file, which the PyTorch reader refuses with
    /// advice to re-save it. Anything else is read as safetensors.
    /// </summary>
    public static bool IsPyTorchArchive(string path)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length < 4)
        {
            throw new InvalidDataException($"'{path}' is too short to be a weight file.");
        }
        return PyTorch.TorchSaveFormats.Recognise(stream) != PyTorch.TorchSaveFormat.None;
    }
}
