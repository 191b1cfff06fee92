using static TorchSharp.torch;

namespace Umt.Models.Weights.PyTorch;

/// <summary>
/// Reads PyTorch weight files as data, never executing anything they name: <c>torch.save</c> zip
/// archives (PyTorch ≥ 1.6; e.g. UMT's <c>vit_b16.pth</c>, HF <c>pytorch_model.bin</c>) and
/// TorchScript archives (<c>torch.jit.save</c>; e.g. OpenAI's published CLIP <c>ViT-B-16.pt</c>).
/// The pickle is interpreted by a restricted unpickler that only builds containers, scalars,
/// strings, bytes, tensors and inert TorchScript module objects; any other global is refused with
/// an <see cref="UnsafePickleException"/>. TorchScript code (<c>code/</c>, <c>constants.pkl</c>) is never read.
/// </summary>
public static class PyTorchCheckpoint
{
    /// <summary>Bytes of records and tensor copies the reader may hold per byte of the file (see <see cref="ByteLimit"/>).</summary>
    public const long BytesPerFileByte = 4;

    /// <summary>Bytes the reader may hold beyond <see cref="BytesPerFileByte"/> × the file length (see <see cref="ByteLimit"/>).</summary>
    public const long ByteAllowance = 16 << 20;

    /// <summary>
    /// The most bytes the reader takes out of a file of <paramref name="fileLength"/> bytes: the
    /// records it decompresses plus the tensor copies it makes. <c>torch.save</c> stores its
    /// records uncompressed, so a real file needs about its own length (twice that when every
    /// tensor is a non-contiguous view); only a deflate bomb or views that copy one storage over
    /// and over come near the limit.
    /// </summary>
    public static long ByteLimit(long fileLength) => BytesPerFileByte * fileLength + ByteAllowance;

    /// <summary>
    /// Every tensor of the file by dotted name, as contiguous CPU tensors of their stored dtype
    /// (float32/16, bfloat16, float64, int64/32/16/8, uint8, bool; strides and storage offsets
    /// honoured). A dict of tensors comes back as is; nested dicts (<c>{'model': {...}}</c> →
    /// <c>model.encoder.norm.weight</c>) and TorchScript module trees (→ <c>visual.conv1.weight</c>)
    /// are flattened; non-tensor leaves (ints, strings, <c>training</c> flags, lists) are skipped.
    /// </summary>
    /// <remarks>
    /// The tensors belong to no dispose scope (the caller owns them and disposes them); on any
    /// error none is left behind. A tensor stored once under two names (tied weights) comes back
    /// as two handles to the same data.
    /// </remarks>
    /// <exception cref="UnsafePickleException">The pickle names a global outside the allow-list (nothing was executed).</exception>
    /// <exception cref="InvalidDataException">Not a PyTorch zip archive (a legacy non-zip <c>torch.save</c> file included), or a truncated or corrupt one; the message names the file.</exception>
    /// <param name="bytesRead">Called after each storage with the storage bytes read so far (about the file's length at the end), for a progress display.</param>
    public static Dictionary<string, Tensor> ReadStateDict(string path, Action<long>? bytesRead = null)
    {
        using var archive = PyTorchArchive.Open(path, bytesRead);
        using var scope = NewDisposeScope();
        var tree = archive.ReadObjectTree();
        var tensors = StateDictFlattener.Flatten(tree, problem => new InvalidDataException($"Invalid PyTorch weight file '{path}': {problem}."));
        foreach (var tensor in tensors.Values)
        {
            tensor.DetachFromDisposeScope();
        }
        return tensors;
    }
}
