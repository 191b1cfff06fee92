using Umt.Models.Onnx;

namespace Umt.Tests.TextEncoders;

/// <summary>A minimal protobuf writer for hand-made models.</summary>
internal static class Proto
{
    public static byte[] Tag(int field, int wire) => VarintBytes((ulong)((field << 3) | wire));

    public static byte[] Varint(int field, long value) => [.. Tag(field, 0), .. VarintBytes((ulong)value)];

    public static byte[] Field(int field, byte[] payload) => [.. Tag(field, 2), .. VarintBytes((ulong)payload.Length), .. payload];

    public static byte[] String(int field, string text) => Field(field, System.Text.Encoding.UTF8.GetBytes(text));

    public static byte[] Message(IEnumerable<byte[]> fields) => fields.SelectMany(f => f).ToArray();

    public static byte[] ModelWith(params byte[][] initializers) => Model([], initializers);

    /// <summary>A model whose graph holds <paramref name="nodes"/> (field 1) and <paramref name="initializers"/> (field 5).</summary>
    public static byte[] Model(byte[][] nodes, byte[][] initializers) =>
        Message([Varint(1, 7), Field(7, Message([.. nodes.Select(n => Field(1, n)), .. initializers.Select(i => Field(5, i))]))]);

    /// <summary>A <c>NodeProto</c>: inputs (1), outputs (2), op_type (4).</summary>
    public static byte[] Node(string opType, string[] inputs, string[] outputs) =>
        Message([.. inputs.Select(i => String(1, i)), .. outputs.Select(o => String(2, o)), String(4, opType)]);

    public static byte[] Tensor(string name, OnnxDataType type, long[] dims, byte[]? raw = null, float[]? floatData = null, long[]? int64Data = null)
    {
        var fields = new List<byte[]>
        {
            Field(1, dims.SelectMany(d => VarintBytes((ulong)d)).ToArray()),  // packed dims
            Varint(2, (int)type),
            String(8, name),
        };
        if (raw is not null)
        {
            fields.Add(Field(9, raw));
        }
        if (floatData is not null)
        {
            fields.Add(Field(4, floatData.SelectMany(BitConverter.GetBytes).ToArray()));
        }
        if (int64Data is not null)
        {
            fields.AddRange(int64Data.Select(v => Varint(7, v)));  // unpacked, one key per element
        }
        return Message(fields);
    }

    private static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }
}
