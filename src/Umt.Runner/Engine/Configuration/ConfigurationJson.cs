using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Umt.Runner.Engine.Configuration;

/// <summary>
/// A resolved configuration as a JSON document with real types (the run folder's <c>config.json</c>):
/// numbers as numbers, booleans as booleans, sections keyed <c>0..n-1</c> as arrays, everything
/// else as strings. Read back with <c>--config</c>, it gives the same key → value pairs: an
/// <see cref="IConfiguration"/> holds every value as text, so a number is written with its text
/// unchanged (never reformatted), and JSON arrays come back as the keys <c>0..n-1</c> they were.
/// Booleans come back as <c>True</c>/<c>False</c>, as from any JSON file (option binding ignores case).
/// </summary>
public static partial class ConfigurationJson
{
    public static string Write(IConfiguration configuration)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            WriteObject(json, configuration.GetChildren());
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteObject(Utf8JsonWriter json, IEnumerable<IConfigurationSection> children)
    {
        json.WriteStartObject();
        foreach (var child in children)
        {
            json.WritePropertyName(child.Key);
            WriteSection(json, child);
        }
        json.WriteEndObject();
    }

    private static void WriteSection(Utf8JsonWriter json, IConfigurationSection section)
    {
        if (section.Value is { } value)
        {
            WriteValue(json, value);
            return;
        }
        var children = section.GetChildren().ToList();
        if (children.Count > 0 && children.Select((c, i) => c.Key == i.ToString(CultureInfo.InvariantCulture)).All(x => x))
        {
            json.WriteStartArray();
            foreach (var child in children)
            {
                WriteSection(json, child);
            }
            json.WriteEndArray();
            return;
        }
        WriteObject(json, children);
    }

    private static void WriteValue(Utf8JsonWriter json, string value)
    {
        if (bool.TryParse(value, out bool flag))
        {
            json.WriteBooleanValue(flag);
        }
        else if (JsonNumber().IsMatch(value))
        {
            json.WriteRawValue(value); // the text as configured: 0.00001 stays 0.00001, not 1E-05
        }
        else
        {
            json.WriteStringValue(value);
        }
    }

    /// <summary>RFC 8259's number grammar: only text a JSON reader hands back unchanged is written as a number.</summary>
    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();
}
