using System.Text.Json;

namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// Reads a whole JSON file for the JSON formats (SSv2, caption lists, label maps). A file that is
/// not JSON, or not of the expected shape, is a wrong file and becomes an
/// <see cref="InvalidDataException"/> naming it; element-level problems are the parsers' rejections.
/// </summary>
/// <remarks>
/// The document is held in memory. That suits every file these parsers read (the largest, a
/// caption list of a few million rows, is some hundreds of MB); a streaming reader would be the
/// next step if one does not fit.
/// </remarks>
internal static class JsonInput
{
    public static JsonDocument Parse(TextReader reader, string what)
    {
        ArgumentNullException.ThrowIfNull(reader);
        try
        {
            return JsonDocument.Parse(reader.ReadToEnd());
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The {what} is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Parses a document whose root must be of kind <paramref name="kind"/>.</summary>
    public static JsonDocument Parse(TextReader reader, string what, JsonValueKind kind)
    {
        JsonDocument document = Parse(reader, what);
        if (document.RootElement.ValueKind != kind)
        {
            JsonValueKind found = document.RootElement.ValueKind;
            document.Dispose();
            throw new InvalidDataException($"The {what} must be a JSON {Describe(kind)}, but it is a JSON {Describe(found)}.");
        }
        return document;
    }

    /// <summary>
    /// The text of property <paramref name="name"/> of an object: its string or, when
    /// <paramref name="numberAsText"/> is set, the text of a number (SSv2 ids are strings, other
    /// tools write them as numbers). Null when the property is
    /// absent or JSON null (then <paramref name="problem"/> is null too) or of another kind (then
    /// <paramref name="problem"/> says so).
    /// </summary>
    public static string? Text(JsonElement element, string name, out string? problem, bool numberAsText = false)
    {
        problem = null;
        if (!element.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Number when numberAsText:
                return value.GetRawText();
            case JsonValueKind.Null:
                return null;
            default:
                problem = $"field '{name}' is a JSON {Describe(value.ValueKind)}, not a string";
                return null;
        }
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
