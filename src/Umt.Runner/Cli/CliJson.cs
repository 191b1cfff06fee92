using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Umt.Runner.Cli;

/// <summary>
/// The one convention of every <c>--json</c> (issue 19): one object (or array) on one line of
/// standard output, snake_case property names and enum values, dictionary keys as they are (they
/// are data: label sets, objectives, phases). Under <c>--json</c> a verb's human text goes to
/// standard error (<see cref="Human"/>), so standard output parses as it is. The schemas are in the
/// README's "JSON output" section.
/// </summary>
public static class CliJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a terminal, not HTML: keep ', +, ` and non-ASCII as typed
    };

    public static void Write<T>(TextWriter output, T value) => output.WriteLine(JsonSerializer.Serialize(value, Options));

    /// <summary>Where a verb's human text goes: standard error under <c>--json</c>, else standard output.</summary>
    public static TextWriter Human(bool json, TextWriter output, TextWriter error) => json ? error : output;
}
