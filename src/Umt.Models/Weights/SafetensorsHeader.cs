using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Umt.Models.Weights;

/// <summary>
/// The JSON header of a safetensors file: every tensor's dtype, shape and byte range, plus the
/// optional string-to-string <c>__metadata__</c>.
/// </summary>
/// <remarks>
/// Format (huggingface/safetensors): 8-byte little-endian header length, the UTF-8 JSON header,
/// then the data section. Parsing checks everything a reader relies on, so a damaged or hostile
/// file fails here with an <see cref="InvalidDataException"/> naming the file and the key, and
/// never reaches a tensor allocation with bad sizes.
/// </remarks>
/// <param name="Tensors">Every tensor by name, in ordinal name order.</param>
/// <param name="Metadata">The <c>__metadata__</c> strings (empty when the file has none).</param>
public sealed record SafetensorsHeader(
    IReadOnlyDictionary<string, SafetensorsEntry> Tensors,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>Largest header accepted, as in the reference implementation (guards the allocation).</summary>
    internal const long MaxHeaderBytes = 100_000_000;

    /// <summary>The reserved header key of the string metadata.</summary>
    internal const string MetadataKey = "__metadata__";

    /// <summary>Builds the header bytes for <paramref name="entries"/> in the given order, space-padded to a multiple of 8.</summary>
    /// <remarks>The padding keeps the data section 8-byte aligned, as the reference writer does.</remarks>
    internal static byte[] Encode(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is not null)
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            foreach (var entry in entries)
            {
                json.WriteStartObject(entry.Name);
                json.WriteString("dtype", SafetensorsDType.Describe(entry.DType, entry.Name).Name);
                json.WriteStartArray("shape");
                foreach (var size in entry.Shape)
                {
                    json.WriteNumberValue(size);
                }
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(entry.Begin);
                json.WriteNumberValue(entry.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        var padding = (int)((8 - buffer.Length % 8) % 8);
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        return buffer.ToArray();
    }

    /// <summary>Parses and validates a header against a data section of <paramref name="dataLength"/> bytes.</summary>
    /// <param name="path">The file, for error messages.</param>
    /// <param name="header">The header bytes.</param>
    /// <param name="dataLength">Bytes after the header.</param>
    internal static SafetensorsHeader Parse(string path, byte[] header, long dataLength)
    {
        // JsonDocument checks UTF-8 only when a string is read, and then throws InvalidOperationException.
        if (!Utf8.IsValid(header))
        {
            throw Invalid(path, "the header is not valid UTF-8 JSON (bad UTF-8)");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"the header is not valid UTF-8 JSON ({e.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(path, "the header is not a JSON object");
            }
            var tensors = new SortedDictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw Invalid(path, $"key '{property.Name}' appears twice");
                }
                if (property.Name == MetadataKey)
                {
                    metadata = ParseMetadata(path, property.Value);
                }
                else
                {
                    tensors.Add(property.Name, ParseEntry(path, property.Name, property.Value, dataLength));
                }
            }
            CheckDataSectionIsTiled(path, tensors.Values, dataLength);
            return new SafetensorsHeader(tensors, metadata);
        }
    }

    private static Dictionary<string, string> ParseMetadata(string path, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"'{MetadataKey}' is not a JSON object");
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String || !metadata.TryAdd(property.Name, property.Value.GetString()!))
            {
                throw Invalid(path, $"'{MetadataKey}' entry '{property.Name}' is not a unique string");
            }
        }
        return metadata;
    }

    private static SafetensorsEntry ParseEntry(string path, string name, JsonElement element, long dataLength)
    {
        if (name.Length == 0)
        {
            throw Invalid(path, "a tensor has an empty name");
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"tensor '{name}': its entry is not a JSON object");
        }
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var field in element.EnumerateObject())
        {
            if (field.Name is not ("dtype" or "shape" or "data_offsets"))
            {
                throw Invalid(path, $"tensor '{name}': unknown field '{field.Name}'");
            }
            if (!fields.TryAdd(field.Name, field.Value))
            {
                throw Invalid(path, $"tensor '{name}': field '{field.Name}' appears twice");
            }
        }
        if (fields.Count != 3)
        {
            throw Invalid(path, $"tensor '{name}': needs 'dtype', 'shape' and 'data_offsets'");
        }
        var dtypeName = fields["dtype"].ValueKind == JsonValueKind.String
            ? fields["dtype"].GetString()!
            : throw Invalid(path, $"tensor '{name}': 'dtype' is not a string");
        var shape = ParseNonNegativeIntegers(path, name, "shape", fields["shape"]);
        var offsets = ParseNonNegativeIntegers(path, name, "data_offsets", fields["data_offsets"]);
        if (!SafetensorsDType.TryParse(dtypeName, out var dtype, out var itemSize))
        {
            throw Invalid(path, $"tensor '{name}': unknown dtype '{dtypeName}' (known: {SafetensorsDType.KnownNames})");
        }
        if (offsets.Length != 2 || offsets[0] > offsets[1] || offsets[1] > dataLength)
        {
            throw Invalid(path, $"tensor '{name}': data_offsets [{string.Join(", ", offsets)}] are not a range within the {dataLength}-byte data section");
        }
        if (!TryByteLength(shape, itemSize, out var expectedBytes))
        {
            throw Invalid(path, $"tensor '{name}': shape [{string.Join(", ", shape)}] is too large");
        }
        if (expectedBytes != offsets[1] - offsets[0])
        {
            throw Invalid(path, $"tensor '{name}': {dtypeName} [{string.Join(", ", shape)}] needs {expectedBytes} bytes but data_offsets span {offsets[1] - offsets[0]}");
        }
        return new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static bool TryByteLength(long[] shape, int itemSize, out long bytes)
    {
        bytes = itemSize;
        foreach (var size in shape)
        {
            if (size != 0 && bytes > long.MaxValue / size)
            {
                return false;
            }
            bytes *= size;
        }
        return true;
    }

    private static long[] ParseNonNegativeIntegers(string path, string name, string field, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(path, $"tensor '{name}': '{field}' is not an array");
        }
        return element.EnumerateArray()
            .Select(item => item.ValueKind == JsonValueKind.Number && item.TryGetInt64(out var value) && value >= 0
                ? value
                : throw Invalid(path, $"tensor '{name}': '{field}' holds {item.GetRawText()}, not a non-negative integer"))
            .ToArray();
    }

    /// <summary>
    /// The byte ranges must cover the data section exactly, in some order, without gaps or
    /// overlaps: then no tensor can alias another and no stray bytes hide in the file.
    /// </summary>
    private static void CheckDataSectionIsTiled(string path, IEnumerable<SafetensorsEntry> entries, long dataLength)
    {
        long covered = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin != covered)
            {
                throw Invalid(path, entry.Begin < covered
                    ? $"tensor '{entry.Name}': bytes [{entry.Begin}, {entry.End}) overlap the previous tensor, which ends at {covered}"
                    : $"tensor '{entry.Name}': bytes [{covered}, {entry.Begin}) before it belong to no tensor");
            }
            covered = entry.End;
        }
        if (covered != dataLength)
        {
            throw Invalid(path, $"the tensors cover {covered} bytes but the data section holds {dataLength}");
        }
    }

    internal static InvalidDataException Invalid(string path, string problem) =>
        new($"Invalid safetensors file '{path}': {problem}.");
}
