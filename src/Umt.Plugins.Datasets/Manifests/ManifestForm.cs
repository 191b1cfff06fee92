using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// A manifest's form, told from its first lines, and the dataset plugins of this assembly that read
/// it, the usual one first: so <c>umt data verify</c> and <c>umt extract --manifest</c> need no
/// <c>--dataset</c> for the forms the loaders read. The loaders themselves still parse the whole
/// file and reject what does not fit; this only picks which loader is asked.
/// </summary>
/// <param name="Name">The form in words, for the log line that says which loader was picked.</param>
/// <param name="Datasets">Dataset plugin names that read the form; a path,label list is read by kinetics and ssv2 alike.</param>
public sealed partial record ManifestForm(string Name, IReadOnlyList<string> Datasets)
{
    /// <summary>The forms <see cref="Recognise"/> knows, in words, for the message that asks for <c>--dataset</c>.</summary>
    public const string Known = "a path,label list, the official Kinetics CSV, a WebVid CSV, a CC3M TSV, a JSON list of videos or images with captions, or an SSv2 split file";

    /// <summary>Enough of the file to hold its first line or first JSON element.</summary>
    private const int HeadBytes = 64 * 1024;

    /// <summary>The form of the manifest at <paramref name="path"/>; null when it is none of <see cref="Known"/>.</summary>
    public static ManifestForm? Recognise(string path)
    {
        byte[] head = new byte[HeadBytes];
        int length;
        bool whole;
        using (var stream = File.OpenRead(path))
        {
            length = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            whole = stream.Position == stream.Length;
        }
        string text = Encoding.UTF8.GetString(head, 0, length).TrimStart('\uFEFF');
        string start = text.TrimStart();
        if (start.StartsWith('['))
        {
            return JsonList(head.AsSpan(0, length), whole);
        }
        string firstLine = text.Split('\n').Select(line => line.TrimEnd('\r')).FirstOrDefault(line => line.Trim().Length > 0) ?? "";
        if (firstLine.Contains('\t', StringComparison.Ordinal))
        {
            return new("a CC3M TSV (caption<TAB>image)", ["cc3m"]);
        }
        var columns = firstLine.Split(',').Select(c => c.Trim().Trim('"')).ToHashSet(StringComparer.Ordinal);
        if (columns.Contains("youtube_id"))
        {
            return new("the official Kinetics CSV", ["kinetics"]);
        }
        if (columns.Contains("videoid") && columns.Contains("name"))
        {
            return new("a WebVid CSV", ["webvid"]);
        }
        return ListLine().IsMatch(firstLine) ? new("a path,label list", ["kinetics", "ssv2"]) : null;
    }

    /// <summary>A JSON array, told by the properties of its first element: <c>video</c>, <c>image</c>, or SSv2's <c>id</c>/<c>template</c>.</summary>
    private static ManifestForm? JsonList(ReadOnlySpan<byte> head, bool whole)
    {
        var properties = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(head.StartsWith(Encoding.UTF8.Preamble) ? head[Encoding.UTF8.Preamble.Length..] : head, whole, default);
        try
        {
            while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 1))
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 2)
                {
                    properties.Add(reader.GetString()!);
                }
            }
        }
        catch (JsonException)
        {
            return null; // not JSON after all: the loader that is named will say where
        }
        return properties.Contains("video") ? new("a JSON list of videos with captions", ["webvid"])
            : properties.Contains("image") ? new("a JSON list of images with captions", ["cc3m"])
            : properties.Contains("template") || properties.Contains("id") ? new("an SSv2 split file", ["ssv2"])
            : null;
    }

    /// <summary>A list line: a media path, a comma or spaces, an integer label (the reference's and VideoMAE's lists).</summary>
    [GeneratedRegex(@"^\S.*[ ,]\s*[0-9]+\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex ListLine();
}
