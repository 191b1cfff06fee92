using System.Buffers.Binary;
using System.Text;

namespace Umt.Models.Onnx;

/// <summary>The protobuf wire types (encoding.md); groups (3, 4) are deprecated and ONNX never writes them.</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>
/// Reads one protobuf message's fields from a byte span. Every read is checked against the span
/// first, so a truncated or hostile file ends in an <see cref="InvalidDataException"/> naming
/// <c>context</c>, never in an out-of-range read; nested messages are read by a new reader over the
/// exact sub-span their length prefix names.
/// </summary>
internal ref struct ProtoReader
{
    private const int MaxVarintBytes = 10;

    private readonly ReadOnlySpan<byte> data;
    private readonly string context;
    private int position;

    public ProtoReader(ReadOnlySpan<byte> data, string context)
    {
        this.data = data;
        this.context = context;
        position = 0;
    }

    /// <summary>Reads the next field's key; false at the end of the message.</summary>
    public bool TryReadTag(out int field, out WireType wire)
    {
        if (position == data.Length)
        {
            field = 0;
            wire = default;
            return false;
        }
        ulong key = ReadVarint();
        ulong number = key >> 3;
        if (number is 0 or > 536_870_911) // field numbers are 1 .. 2^29 − 1
        {
            throw Invalid($"field number {number} is out of range");
        }
        field = (int)number;
        wire = (WireType)(key & 7);
        if (wire is not (WireType.Varint or WireType.Fixed64 or WireType.LengthDelimited or WireType.Fixed32))
        {
            throw Invalid($"field {field} has wire type {(int)wire}, which ONNX does not use");
        }
        return true;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (int i = 0; i < MaxVarintBytes; i++)
        {
            if (position >= data.Length)
            {
                throw Invalid("a varint runs past the end of its message");
            }
            byte b = data[position++];
            // The tenth byte may only carry the 64th bit.
            if (i == MaxVarintBytes - 1 && b > 1)
            {
                throw Invalid("a varint overflows 64 bits");
            }
            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                return value;
            }
        }
        throw Invalid("a varint is longer than 10 bytes");
    }

    /// <summary>An <c>int64</c> field: the varint's two's-complement bits.</summary>
    public long ReadInt64() => unchecked((long)ReadVarint());

    /// <summary>An <c>int32</c> or enum field: negatives are written sign-extended to 64 bits, so truncation recovers them.</summary>
    public int ReadInt32() => unchecked((int)ReadVarint());

    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>A length-delimited field's bytes (a string, bytes, a sub-message or a packed array).</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(data.Length - position))
        {
            throw Invalid($"a field of {length} bytes runs past the {data.Length - position} bytes left in its message");
        }
        return Take((int)length);
    }

    public string ReadString()
    {
        var bytes = ReadBytes();
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid("a string is not valid UTF-8");
        }
    }

    /// <summary>A nested message: a reader over exactly its bytes.</summary>
    public ProtoReader ReadMessage(string nestedContext) => new(ReadBytes(), nestedContext);

    /// <summary>Skips a field this reader does not need (unknown fields must be skipped, not refused).</summary>
    public void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                Take(8);
                break;
            case WireType.LengthDelimited:
                ReadBytes();
                break;
            case WireType.Fixed32:
                Take(4);
                break;
            default:
                throw Invalid($"wire type {(int)wire} cannot be skipped");
        }
    }

    /// <summary>
    /// Appends a repeated varint field (<c>int64</c>, <c>int32</c>, enums) to <paramref name="values"/>:
    /// writers may send it packed (one length-delimited run) or one element per key, and a parser must
    /// accept both.
    /// </summary>
    public void ReadRepeatedVarint(WireType wire, int field, List<long> values)
    {
        if (wire == WireType.Varint)
        {
            values.Add(ReadInt64());
            return;
        }
        Expect(wire, WireType.LengthDelimited, field);
        var packed = new ProtoReader(ReadBytes(), context);
        while (packed.position < packed.data.Length)
        {
            values.Add(packed.ReadInt64());
        }
    }

    /// <summary>Appends a repeated <c>float</c> field, packed or not.</summary>
    public void ReadRepeatedFloat(WireType wire, int field, List<float> values)
    {
        if (wire == WireType.Fixed32)
        {
            values.Add(BitConverter.UInt32BitsToSingle(ReadFixed32()));
            return;
        }
        Expect(wire, WireType.LengthDelimited, field);
        var packed = ReadBytes();
        if (packed.Length % 4 != 0)
        {
            throw Invalid($"packed float field {field} holds {packed.Length} bytes, not a multiple of 4");
        }
        for (int i = 0; i < packed.Length; i += 4)
        {
            values.Add(BinaryPrimitives.ReadSingleLittleEndian(packed.Slice(i, 4)));
        }
    }

    /// <summary>Appends a repeated <c>double</c> field, packed or not.</summary>
    public void ReadRepeatedDouble(WireType wire, int field, List<double> values)
    {
        if (wire == WireType.Fixed64)
        {
            values.Add(BitConverter.UInt64BitsToDouble(ReadFixed64()));
            return;
        }
        Expect(wire, WireType.LengthDelimited, field);
        var packed = ReadBytes();
        if (packed.Length % 8 != 0)
        {
            throw Invalid($"packed double field {field} holds {packed.Length} bytes, not a multiple of 8");
        }
        for (int i = 0; i < packed.Length; i += 8)
        {
            values.Add(BinaryPrimitives.ReadDoubleLittleEndian(packed.Slice(i, 8)));
        }
    }

    /// <summary>Refuses a known field sent with the wrong wire type (it would be misread otherwise).</summary>
    public readonly void Expect(WireType actual, WireType expected, int field)
    {
        if (actual != expected)
        {
            throw Invalid($"field {field} has wire type {(int)actual}, expected {(int)expected}");
        }
    }

    public readonly InvalidDataException Invalid(string problem) => new($"Malformed ONNX model ({context}): {problem}.");

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > data.Length - position)
        {
            throw Invalid($"a field of {count} bytes runs past the end of its message");
        }
        var slice = data.Slice(position, count);
        position += count;
        return slice;
    }

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
