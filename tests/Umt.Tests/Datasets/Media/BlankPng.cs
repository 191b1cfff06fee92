using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Umt.Tests.Datasets.Media;

/// <summary>
/// A black 1-bit greyscale PNG of any size, written chunk by chunk: a 20000² image is a 400 MP
/// decode but only a small file (rows of zeros deflate to almost nothing), and writing it needs
/// no bitmap of that size, which is the point of a decompression-bomb fixture.
/// </summary>
internal static class BlankPng
{
    private static readonly uint[] CrcTable = [.. Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return c;
    })];

    public static void Write(string path, int width, int height)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 1; // bit depth; colour type 0 (grey), deflate, filter 0, no interlace: all zero

        var pixels = new MemoryStream();
        using (var zlib = new ZLibStream(pixels, CompressionLevel.Fastest, leaveOpen: true))
        {
            var row = new byte[1 + (width + 7) / 8]; // filter byte 0 (None), then the packed pixels
            for (int y = 0; y < height; y++)
            {
                zlib.Write(row);
            }
        }

        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(file, "IHDR", header);
        WriteChunk(file, "IDAT", pixels.ToArray());
        WriteChunk(file, "IEND", []);
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in typeBytes.Concat(data))
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        var crcBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, ~crc);
        output.Write(length);
        output.Write(typeBytes);
        output.Write(data);
        output.Write(crcBytes);
    }
}
