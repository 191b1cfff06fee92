using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Manifests;
using Umt.Plugins.Datasets.MediaDatasets;

namespace Umt.Plugins.Datasets.Cc3m;

/// <summary>MEF export of the <c>cc3m</c> dataset: stage-2 captioned images as one-frame clips.</summary>
[ExportVideoDataset("cc3m", Description = "Conceptual Captions images (SkiaSharp) as one-frame clips: the TSV or the reference's image+caption JSON lists; random resized crop."), Shared]
internal sealed class Cc3mDatasetFactory : MediaDatasetFactory<Cc3mOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public Cc3mDatasetFactory()
    {
    }

    protected override MediaKind Kind => MediaKind.Image;

    protected override bool StageOne => false;

    protected override bool HasCaptions => true;

    protected override bool CleanCaptions(Cc3mOptions options) => options.CleanCaptions;

    protected override int MaxImageMegapixels(Cc3mOptions options) => options.MaxImageMegapixels;

    protected override LoadedManifest Load(Cc3mOptions options, string manifestPath, MediaRoot root, PluginContext context)
    {
        using var reader = File.OpenText(manifestPath);
        bool json = IsJson(options.Format, manifestPath);
        var manifest = json ? CaptionJson.Parse(reader, root, "image") : Cc3mTsv.Parse(reader, root, options.FilePattern);
        return new LoadedManifest(manifest, Classes: 0);
    }
}
