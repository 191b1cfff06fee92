using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Abstractions.Composition;
using Umt.Plugins.Datasets.Manifests;
using Umt.Plugins.Datasets.MediaDatasets;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Workflows.Data;

/// <summary>
/// Which dataset plugin reads a manifest the user hands a verb (<c>data verify</c>, <c>extract
/// --manifest</c>): the one <c>--dataset</c> names; else the one the manifest's form says
/// (<see cref="ManifestForm"/>), preferring <c>Umt:Dataset:Use</c> where it reads that form too (an
/// SSv2 list is a path,label list like Kinetics'); a manifest in no known form goes to
/// <c>Umt:Dataset:Use</c> when that reads manifests, else the user is asked for <c>--dataset</c>. The
/// configured dataset is not simply taken: by default it is <c>synthetic</c>, which reads no manifest.
/// </summary>
public static class ManifestDataset
{
    public static string Choose(ServiceProvider services, string manifest, string? named)
    {
        if (named is not null)
        {
            return named;
        }
        if (!File.Exists(manifest))
        {
            throw new ConfigurationException($"manifest {manifest}: no such file ({Path.GetFullPath(manifest)}).");
        }
        var readers = services.GetRequiredService<PluginCatalog>().Of(PluginKind.Dataset)
            .Where(e => e.Factory.OptionsType.IsSubclassOf(typeof(MediaDatasetOptions)))
            .Select(e => e.Name)
            .ToList();
        string configured = services.GetRequiredService<IConfiguration>()["Umt:Dataset:Use"] ?? "";
        var log = services.GetRequiredService<ILogger>();
        var form = ManifestForm.Recognise(manifest);
        var candidates = form?.Datasets.Where(readers.Contains).ToList() ?? [];
        if (form is null || candidates.Count == 0)
        {
            if (readers.Contains(configured))
            {
                // A manifest reader the user configured (a third-party one, whose forms are not known here): it says what is wrong with the file, if anything.
                log.Information("{Manifest} is in none of the forms known here: read by the configured Umt:Dataset:Use = {Dataset}", manifest, configured);
                return configured;
            }
            throw new ConfigurationException(
                $"--dataset: {manifest} is in none of the forms a loader is picked for by itself ({ManifestForm.Known}); name the dataset plugin that reads it with --dataset, one of {string.Join(", ", readers)}.");
        }
        string chosen = candidates.Contains(configured) ? configured : candidates[0];
        log.Information("{Manifest} is {Form}: read by the {Dataset} dataset (--dataset names another)", manifest, form.Name, chosen);
        return chosen;
    }
}
