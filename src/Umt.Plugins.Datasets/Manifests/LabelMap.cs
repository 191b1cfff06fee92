using System.Text.Json;

namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// The K710 label maps of UniFormerV2/UMT (<c>label_mixto400.json</c>, <c>label_mixto600.json</c>,
/// <c>label_mixto700.json</c>): a JSON array of N integers where entry i is the K710 index of class
/// i of K-N. A model trained on K710 is evaluated on K400 by mapping K400's labels into K710's
/// index space (or reading K710's logits at these indices).
/// </summary>
internal static class LabelMap
{
    /// <summary>Reads a label map file; anything but an array of non-negative integers throws <see cref="InvalidDataException"/> naming the file.</summary>
    public static int[] Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using StreamReader reader = File.OpenText(path);
        return Parse(reader, path);
    }

    /// <summary>Parses a label map; <paramref name="source"/> names it in messages (a path, usually).</summary>
    public static int[] Parse(TextReader reader, string source)
    {
        string what = $"label map '{Echo.Bounded(source)}'";
        using JsonDocument document = JsonInput.Parse(reader, what, JsonValueKind.Array);
        var map = new int[document.RootElement.GetArrayLength()];
        int i = 0;
        foreach (JsonElement element in document.RootElement.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out int target) || target < 0)
            {
                throw new InvalidDataException($"The {what} must hold non-negative integers; entry {i} is {Echo.Bounded(element.GetRawText())}.");
            }
            map[i++] = target;
        }
        return map;
    }

    /// <summary>
    /// Maps every entry's label through <paramref name="map"/>. Entries without a label are kept as
    /// they are; an entry whose label has no place in the map becomes a rejection (the list and the
    /// map are of different datasets, or the list is wrong), kept in line order with the
    /// manifest's own rejections.
    /// </summary>
    public static Manifest Apply(Manifest manifest, IReadOnlyList<int> map)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(map);
        var entries = new List<ManifestEntry>(manifest.Entries.Count);
        var rejected = new List<ManifestRejection>(manifest.Rejected);
        foreach (ManifestEntry entry in manifest.Entries)
        {
            if (entry.Label is not int label)
            {
                entries.Add(entry);
            }
            else if (label < map.Count)
            {
                entries.Add(entry with { Label = map[label] });
            }
            else
            {
                rejected.Add(new ManifestRejection(entry.Line, entry.Path, $"label {label} is outside the label map ({map.Count} entries)"));
            }
        }
        return new Manifest(entries.ToArray(), rejected.OrderBy(r => r.Line).ToArray());
    }
}
