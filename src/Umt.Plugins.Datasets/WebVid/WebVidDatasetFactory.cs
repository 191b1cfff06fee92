using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Manifests;
using Umt.Plugins.Datasets.MediaDatasets;

namespace Umt.Plugins.Datasets.WebVid;

/// <summary>MEF export of the <c>webvid</c> dataset: stage-2 captioned videos.</summary>
[ExportVideoDataset("webvid", Description = "WebVid captioned videos (ffmpeg): the official CSV or the reference's video+caption JSON lists; stage-2 sampling and random resized crop."), Shared]
internal sealed class WebVidDatasetFactory : MediaDatasetFactory<WebVidOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public WebVidDatasetFactory()
    {
    }

    protected override MediaKind Kind => MediaKind.Video;

    protected override bool StageOne => false;

    protected override bool HasCaptions => true;

    protected override bool CleanCaptions(WebVidOptions options) => options.CleanCaptions;

    protected override LoadedManifest Load(WebVidOptions options, string manifestPath, MediaRoot root, PluginContext context)
    {
        using var reader = File.OpenText(manifestPath);
        bool json = IsJson(options.Format, manifestPath);
        var manifest = json ? CaptionJson.Parse(reader, root, "video") : WebVidCsv.Parse(reader, root, options.FilePattern);
        return new LoadedManifest(manifest, Classes: 0);
    }
}
