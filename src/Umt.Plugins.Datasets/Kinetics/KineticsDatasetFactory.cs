using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Manifests;
using Umt.Plugins.Datasets.MediaDatasets;

namespace Umt.Plugins.Datasets.Kinetics;

/// <summary>MEF export of the <c>kinetics</c> dataset: stage-1 videos with action labels.</summary>
[ExportVideoDataset("kinetics", Description = "Kinetics-400/600/700/710 videos (ffmpeg): the reference's path,label lists or the official CSVs, optional K710 label maps; stage-1 sampling and multi-scale crop."), Shared]
internal sealed class KineticsDatasetFactory : MediaDatasetFactory<KineticsOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public KineticsDatasetFactory()
    {
    }

    protected override MediaKind Kind => MediaKind.Video;

    protected override bool StageOne => true;

    protected override bool HasCaptions => false;

    protected override LoadedManifest Load(KineticsOptions options, string manifestPath, MediaRoot root, PluginContext context)
    {
        using var reader = File.OpenText(manifestPath);
        bool csv = options.Format == "csv" || (options.Format == "auto" && FirstLine(manifestPath).Contains("youtube_id", StringComparison.Ordinal));
        Manifest manifest;
        int classes;
        if (csv)
        {
            var classNames = options.Classes is { } classFile ? ReadClassNames(context.ResolvePath(classFile)) : null;
            (manifest, var names) = KineticsCsv.Parse(reader, root, options.FilePattern, classNames);
            classes = names.Count;
        }
        else
        {
            manifest = KineticsList.Parse(reader, root, options.Separator);
            classes = options.Classes is { } classFile
                ? ReadClassNames(context.ResolvePath(classFile)).Count
                : manifest.Entries.Select(e => e.Label ?? -1).DefaultIfEmpty(-1).Max() + 1;
        }
        if (options.LabelMap is { } mapFile)
        {
            int[] map = LabelMap.Read(context.ResolvePath(mapFile));
            manifest = LabelMap.Apply(manifest, map);
            classes = map.DefaultIfEmpty(-1).Max() + 1;
        }
        return new LoadedManifest(manifest, classes);
    }

    private static string FirstLine(string path) => File.ReadLines(path).FirstOrDefault(line => line.Trim().Length > 0) ?? "";

    private static IReadOnlyList<string> ReadClassNames(string path) =>
        [.. File.ReadLines(path).Select(line => line.Trim()).Where(line => line.Length > 0)];
}
