using System.Text.Json;

namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// Something-Something v2 as released: a labels file
/// <c>{"Holding something next to something": "12", ...}</c> and split files (train/validation/test),
/// each a JSON array of <c>{"id": "78687", "label": "...", "template": "Holding [something] next to [something]", "placeholders": [...]}</c>.
/// The class is the template with its brackets removed, looked up in the labels file (the
/// <c>label</c> field is the filled-in sentence, not the class). Test-split elements have no template
/// and get a null label. Elements are numbered by their 1-based array position.
/// </summary>
internal static class Ssv2
{
    /// <summary>The placeholders a pattern may use.</summary>
    public static readonly IReadOnlyList<string> Placeholders = ["id"];

    public static Manifest Parse(TextReader splitJson, TextReader labelsJson, MediaRoot root, string filePattern = "{id}.webm")
    {
        ArgumentNullException.ThrowIfNull(splitJson);
        ArgumentNullException.ThrowIfNull(labelsJson);
        ArgumentNullException.ThrowIfNull(root);
        var pattern = new FilePattern(filePattern, Placeholders);
        Dictionary<string, int> classes = ReadLabels(labelsJson);

        using JsonDocument split = JsonInput.Parse(splitJson, "SSv2 split file", JsonValueKind.Array);
        var builder = new ManifestBuilder(root);
        int position = 0;
        foreach (JsonElement element in split.RootElement.EnumerateArray())
        {
            position++;
            string text = element.GetRawText();
            if (element.ValueKind != JsonValueKind.Object)
            {
                builder.Reject(position, text, $"element is a JSON {JsonInput.Describe(element.ValueKind)}, not an object");
                continue;
            }

            string? id = JsonInput.Text(element, "id", out string? problem, numberAsText: true);
            if (problem is not null || string.IsNullOrWhiteSpace(id))
            {
                builder.Reject(position, text, problem ?? "missing field 'id'");
                continue;
            }

            int? label = null;
            string? template = JsonInput.Text(element, "template", out problem);
            if (problem is not null)
            {
                builder.Reject(position, text, problem);
                continue;
            }
            if (template is not null)
            {
                string key = ClassName(template);
                if (!classes.TryGetValue(key, out int index))
                {
                    builder.Reject(position, text, $"template '{Echo.Bounded(key)}' is not in the labels file");
                    continue;
                }
                label = index;
            }

            if (!pattern.TryFormat(_ => id, out string path, out string? reason))
            {
                builder.Reject(position, text, reason);
                continue;
            }
            builder.Add(position, text, path, label, []);
        }
        return builder.Build();
    }

    /// <summary>The labels file's key for a template: the template without '[' and ']'.</summary>
    public static string ClassName(string template) => template.Replace("[", string.Empty, StringComparison.Ordinal).Replace("]", string.Empty, StringComparison.Ordinal);

    private static Dictionary<string, int> ReadLabels(TextReader labelsJson)
    {
        const string What = "SSv2 labels file";
        using JsonDocument document = JsonInput.Parse(labelsJson, What, JsonValueKind.Object);
        var classes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            // The release writes indices as strings ("12"); numbers are accepted too.
            string? text = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetRawText(),
                _ => null,
            };
            if (text is null || !ManifestLabel.TryParse(text, out int index, out _))
            {
                throw new InvalidDataException($"The {What} maps '{Echo.Bounded(property.Name)}' to {Echo.Bounded(property.Value.GetRawText())}, not a class index.");
            }
            classes[property.Name] = index;
        }
        return classes;
    }
}
