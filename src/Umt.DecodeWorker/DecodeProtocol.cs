using System.Buffers.Binary;
using System.Text;

namespace Umt.DecodeWorker;

/// <summary>How a worker's answer ends.</summary>
internal enum DecodeStatus
{
    /// <summary>Every requested frame follows.</summary>
    Done = 0,

    /// <summary>The file could not be decoded (fewer frames, or none): the message says why; the frames that were decoded follow.</summary>
    Failed = 1,

    /// <summary>The file needs what only the CLI does (auto-rotation): decode it there.</summary>
    UseCli = 2,
}

/// <summary>
/// One clip to decode: the frames with decode-order indices <see cref="Frames"/> (sorted, distinct),
/// cropped (exact, as ffmpeg's <c>crop=exact=1</c>), resized to <see cref="Size"/>² and converted
/// to RGB24 in one swscale pass, as the CLI path's <c>crop,scale,format=rgb24</c> chain does.
/// </summary>
internal sealed record DecodeRequest(string Path, int CropX, int CropY, int CropWidth, int CropHeight, int Size, bool Bicubic, int[] Frames);

/// <summary>
/// The wire format between the reader and a worker over the worker's stdin/stdout: little-endian
/// int32 fields, UTF-8 strings prefixed by their byte length. A greeting first (the libraries
/// loaded, or why not), then one answer per request, in order.
/// </summary>
internal static class DecodeProtocol
{
    public const int Greeting = 0x554D5444; // "UMTD"

    public static void WriteGreeting(Stream output, string? failure)
    {
        WriteInt(output, Greeting);
        WriteString(output, failure ?? "");
        output.Flush();
    }

    /// <returns>Null when the worker is ready, else why it cannot decode.</returns>
    public static string? ReadGreeting(Stream input)
    {
        int magic = ReadInt(input);
        if (magic != Greeting)
        {
            throw new InvalidDataException($"the decode worker greeted with 0x{magic:X8}, not 0x{Greeting:X8}");
        }
        string failure = ReadString(input);
        return failure.Length == 0 ? null : failure;
    }

    public static void WriteRequest(Stream output, DecodeRequest request)
    {
        WriteString(output, request.Path);
        foreach (int value in (int[])[request.CropX, request.CropY, request.CropWidth, request.CropHeight, request.Size, request.Bicubic ? 1 : 0, request.Frames.Length])
        {
            WriteInt(output, value);
        }
        foreach (int frame in request.Frames)
        {
            WriteInt(output, frame);
        }
        output.Flush();
    }

    /// <returns>The next request, or null when the reader closed the pipe (the worker's cue to exit).</returns>
    public static DecodeRequest? ReadRequest(Stream input)
    {
        string? path = TryReadString(input);
        if (path is null)
        {
            return null;
        }
        int x = ReadInt(input), y = ReadInt(input), width = ReadInt(input), height = ReadInt(input), size = ReadInt(input), bicubic = ReadInt(input), count = ReadInt(input);
        var frames = new int[count];
        for (int i = 0; i < count; i++)
        {
            frames[i] = ReadInt(input);
        }
        return new DecodeRequest(path, x, y, width, height, size, bicubic != 0, frames);
    }

    /// <param name="rgb">The decoded frames, <paramref name="decoded"/> × size² × 3 bytes used.</param>
    public static void WriteAnswer(Stream output, DecodeStatus status, string message, int decoded, ReadOnlySpan<byte> rgb)
    {
        WriteInt(output, (int)status);
        WriteString(output, message);
        WriteInt(output, decoded);
        WriteInt(output, rgb.Length);
        output.Write(rgb);
        output.Flush();
    }

    public static (DecodeStatus Status, string Message, int Decoded, byte[] Rgb) ReadAnswer(Stream input)
    {
        var status = (DecodeStatus)ReadInt(input);
        string message = ReadString(input);
        int decoded = ReadInt(input);
        var rgb = new byte[ReadInt(input)];
        input.ReadExactly(rgb);
        return (status, message, decoded, rgb);
    }

    private static void WriteInt(Stream output, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        output.Write(bytes);
    }

    private static void WriteString(Stream output, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        WriteInt(output, bytes.Length);
        output.Write(bytes);
    }

    /// <exception cref="EndOfStreamException">The pipe closed mid-message (the other side died).</exception>
    private static int ReadInt(Stream input)
    {
        Span<byte> bytes = stackalloc byte[4];
        input.ReadExactly(bytes);
        return BinaryPrimitives.ReadInt32LittleEndian(bytes);
    }

    private static string ReadString(Stream input)
    {
        var bytes = new byte[ReadInt(input)];
        input.ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    private static string? TryReadString(Stream input)
    {
        Span<byte> length = stackalloc byte[4];
        int read = input.ReadAtLeast(length, 4, throwOnEndOfStream: false);
        if (read == 0)
        {
            return null;
        }
        if (read < 4)
        {
            throw new EndOfStreamException("the request pipe closed mid-message");
        }
        var bytes = new byte[BinaryPrimitives.ReadInt32LittleEndian(length)];
        input.ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes);
    }
}
