namespace Umt.Models.Weights.PyTorch;

/// <summary>
/// The bytes one archive read may take out of its file (<see cref="PyTorchCheckpoint.ByteLimit"/>):
/// every record it decompresses and every tensor copy it makes is charged here before it is
/// allocated, so a small hostile file (a deflate bomb, a view that copies its storage many times
/// over) is refused instead of exhausting memory.
/// </summary>
internal sealed class ArchiveByteBudget(string path, long fileLength)
{
    private readonly long limit = PyTorchCheckpoint.ByteLimit(fileLength);
    private long charged;

    /// <summary>Charges <paramref name="bytes"/> for <paramref name="what"/>, or refuses it when the limit would be passed.</summary>
    /// <param name="what">The allocation, for the message, e.g. <c>the storage record 'archive/data/0'</c>.</param>
    /// <exception cref="InvalidDataException">The limit would be passed; nothing was charged.</exception>
    public void Charge(long bytes, string what)
    {
        if (bytes > limit - charged)
        {
            throw new InvalidDataException(
                $"Invalid PyTorch weight file '{path}': {what} needs {bytes} bytes, which would bring the bytes read out of the archive " +
                $"to {charged + bytes}, over the limit of {limit} bytes ({PyTorchCheckpoint.BytesPerFileByte} × the {fileLength}-byte file + " +
                $"{PyTorchCheckpoint.ByteAllowance} bytes). torch.save stores its records uncompressed and its tensors as views of them, " +
                "so a real checkpoint stays far below; this one inflates (a compressed record or overlapping views).");
        }
        charged += bytes;
    }
}
