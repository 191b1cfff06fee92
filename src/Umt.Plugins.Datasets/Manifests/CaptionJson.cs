using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// The reference's (VINDLU-style) caption lists used for UMT's multi-modal pretraining and
/// retrieval: a JSON array of objects such as <c>{"video": "a/b.mp4", "caption": "..."}</c> or
/// <c>{"image": "x.jpg", "caption": ["...", "..."]}</c>. A caption list keeps every caption (retrieval
/// test sets give several per video); an optional integer <c>label</c> is read when present.
/// Elements are numbered by their 1-based array position.
/// </summary>
/// <remarks>
/// The reference also allows a list of media paths per element (multi-image samples); that is not
/// supported here and such elements are rejected.
/// </remarks>
internal static class CaptionJson
{
    private const string CaptionKey = "caption";

    private const string LabelKey = "label";

    /// <param name="mediaKey">The property holding the media path: "video" or "image".</param>
    public static Manifest Parse(TextReader reader, MediaRoot root, string mediaKey)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaKey);

        using JsonDocument document = JsonInput.Parse(reader, "caption JSON", JsonValueKind.Array);
        var builder = new ManifestBuilder(root);
        int position = 0;
        foreach (JsonElement element in document.RootElement.EnumerateArray())
        {
            position++;
            string text = element.GetRawText();
            if (element.ValueKind != JsonValueKind.Object)
            {
                builder.Reject(position, text, $"element is a JSON {JsonInput.Describe(element.ValueKind)}, not an object");
                continue;
            }
            if (!TryReadMedia(element, mediaKey, out string media, out string? reason)
                || !TryReadCaptions(element, out string[] captions, out reason)
                || !TryReadLabel(element, out int? label, out reason))
            {
                builder.Reject(position, text, reason);
                continue;
            }
            builder.Add(position, text, media, label, captions);
        }
        return builder.Build();
    }

    private static bool TryReadMedia(JsonElement element, string mediaKey, out string media, [NotNullWhen(false)] out string? reason)
    {
        media = string.Empty;
        reason = null;
        if (!element.TryGetProperty(mediaKey, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            reason = $"missing field '{mediaKey}'";
            return false;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            reason = $"field '{mediaKey}' is a JSON {JsonInput.Describe(value.ValueKind)}, not a string";
            return false;
        }
        media = value.GetString()!;
        return true;
    }

    private static bool TryReadCaptions(JsonElement element, out string[] captions, [NotNullWhen(false)] out string? reason)
    {
        captions = [];
        reason = null;
        if (!element.TryGetProperty(CaptionKey, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            reason = $"missing field '{CaptionKey}'";
            return false;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            captions = [value.GetString()!];
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            if (value.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String))
            {
                reason = $"field '{CaptionKey}' holds a value that is not a string";
                return false;
            }
            captions = value.EnumerateArray().Select(c => c.GetString()!).ToArray();
        }
        else
        {
            reason = $"field '{CaptionKey}' is a JSON {JsonInput.Describe(value.ValueKind)}, not a string or a list of strings";
            return false;
        }

        if (captions.Length == 0 || captions.Any(string.IsNullOrWhiteSpace))
        {
            reason = "empty caption";
            return false;
        }
        return true;
    }

    private static bool TryReadLabel(JsonElement element, out int? label, [NotNullWhen(false)] out string? reason)
    {
        label = null;
        reason = null;
        string? text = JsonInput.Text(element, LabelKey, out string? problem, numberAsText: true);
        if (problem is not null)
        {
            reason = problem;
            return false;
        }
        if (text is null)
        {
            return true;
        }
        if (!ManifestLabel.TryParse(text, out int value, out reason))
        {
            return false;
        }
        label = value;
        return true;
    }
}
