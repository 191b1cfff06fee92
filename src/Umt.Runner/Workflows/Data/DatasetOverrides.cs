using Microsoft.Extensions.DependencyInjection;
using Umt.Abstractions.Composition;
using Umt.Plugins.Datasets.MediaDatasets;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Workflows.Data;

/// <summary>Configuration overrides that point a derived run (extraction, fine-tuning) at a dataset.</summary>
public static class DatasetOverrides
{
    /// <summary>The named dataset (else the one the manifest's form says) on the manifest; eval mode where the plugin has one.</summary>
    public static RunOverrides FromManifest(ServiceProvider services, string? manifest, string? root, string? dataset)
    {
        if (manifest is null || root is null)
        {
            throw new ArgumentException("Give --input FOLDER, or --manifest FILE with --root DIR.");
        }
        string name = ManifestDataset.Choose(services, manifest, dataset);
        var entry = services.GetRequiredService<PluginCatalog>().Find(PluginKind.Dataset, name)
            ?? throw new ArgumentException($"--dataset: no dataset plugin '{name}'.");
        var overrides = new RunOverrides().Manifest(name, manifest, root);
        return entry.Factory.OptionsType.IsSubclassOf(typeof(MediaDatasetOptions)) ? overrides.DatasetMode(name, "eval") : overrides;
    }
}
