using System.Composition;
using System.Text.Json;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Manifests;
using Umt.Plugins.Datasets.MediaDatasets;

namespace Umt.Plugins.Datasets.Ssv2;

/// <summary>MEF export of the <c>ssv2</c> dataset: stage-1 videos with template labels.</summary>
[ExportVideoDataset("ssv2", Description = "Something-Something v2 .webm videos (ffmpeg): the official label and split JSON files or path,label lists; no flip by default."), Shared]
internal sealed class Ssv2DatasetFactory : MediaDatasetFactory<Ssv2Options>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public Ssv2DatasetFactory()
    {
    }

    protected override MediaKind Kind => MediaKind.Video;

    protected override bool StageOne => true;

    protected override bool HasCaptions => false;

    protected override LoadedManifest Load(Ssv2Options options, string manifestPath, MediaRoot root, PluginContext context)
    {
        string? labelsPath = options.Labels is { } labels ? context.ResolvePath(labels) : null;
        int? classes = labelsPath is null ? null : CountClasses(labelsPath);
        using var reader = File.OpenText(manifestPath);
        bool json = IsJson(options.Format, manifestPath);
        if (!json)
        {
            var list = KineticsList.Parse(reader, root, "auto", ".webm");
            return new LoadedManifest(list, classes ?? list.Entries.Select(e => e.Label ?? -1).DefaultIfEmpty(-1).Max() + 1);
        }
        if (labelsPath is null)
        {
            throw new ArgumentException("Labels: the official split file needs something-something-v2-labels.json (template → class index).");
        }
        using var labelsReader = File.OpenText(labelsPath);
        return new LoadedManifest(Manifests.Ssv2.Parse(reader, labelsReader, root, options.FilePattern), classes!.Value);
    }

    private static int CountClasses(string labelsPath)
    {
        using var stream = File.OpenRead(labelsPath);
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.ValueKind == JsonValueKind.Object
            ? document.RootElement.EnumerateObject().Count()
            : throw new InvalidDataException($"Labels: '{Echo.Bounded(labelsPath)}' is not a JSON object of template → class index.");
    }
}
