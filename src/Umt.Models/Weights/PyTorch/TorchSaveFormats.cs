namespace Umt.Models.Weights.PyTorch;

/// <summary>Recognises a <see cref="TorchSaveFormat"/>.</summary>
internal static class TorchSaveFormats
{
    /// <summary>LONG1 of 10 bytes holding torch's legacy magic number 0x1950a86a20f9469cfc6c, the first thing a legacy file pickles.</summary>
    private static ReadOnlySpan<byte> LegacyMagic => [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    private const int FrameOpcodeBytes = 9;   // FRAME and its 8-byte length, which protocol ≥ 4 puts first
    private const int TarMagicOffset = 257;

    /// <summary>The format of the file <paramref name="stream"/> reads, from its start; the position is left anywhere.</summary>
    public static TorchSaveFormat Recognise(Stream stream)
    {
        Span<byte> head = stackalloc byte[2 + FrameOpcodeBytes + LegacyMagic.Length];
        stream.Position = 0;
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..read];
        if (read >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && (head[2], head[3]) is (3, 4) or (5, 6))
        {
            return TorchSaveFormat.Zip;
        }
        if (read >= 2 && head[0] == 0x80 && head[1] <= 5
            && (head[2..].StartsWith(LegacyMagic) || (head.Length >= 2 + FrameOpcodeBytes && head[2] == 0x95 && head[(2 + FrameOpcodeBytes)..].StartsWith(LegacyMagic))))
        {
            return TorchSaveFormat.LegacyPickle;
        }
        // A safetensors header is JSON from byte 8 on ('{'), which a tar's first file name never holds.
        if (stream.Length > TarMagicOffset + 5 && !(read > 8 && head[8] == (byte)'{'))
        {
            Span<byte> magic = stackalloc byte[5];
            stream.Position = TarMagicOffset;
            if (stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false) == magic.Length && magic.SequenceEqual("ustar"u8))
            {
                return TorchSaveFormat.LegacyTar;
            }
        }
        return TorchSaveFormat.None;
    }
}
