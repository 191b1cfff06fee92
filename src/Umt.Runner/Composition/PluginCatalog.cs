using System.Composition.Hosting;
using System.Reflection;
using System.Text.RegularExpressions;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.Teachers;
using Umt.Abstractions.TextEncoders;
using Umt.Runner.Configuration;

namespace Umt.Runner.Composition;

/// <summary>
/// Every plugin MEF discovered, by kind and name. Built once per process from the built-in plugin
/// assemblies and the folders of <c>Umt:PluginDirectories</c>. Names must be lower kebab-case and
/// unique within a kind; a duplicate is an error naming both assemblies.
/// </summary>
public sealed partial class PluginCatalog
{
    private readonly Dictionary<PluginKind, IReadOnlyList<PluginEntry>> entries;

    private PluginCatalog(Dictionary<PluginKind, IReadOnlyList<PluginEntry>> entries) => this.entries = entries;

    /// <summary>Plugins of a kind, sorted by name.</summary>
    public IReadOnlyList<PluginEntry> Of(PluginKind kind) => entries[kind];

    public PluginEntry? Find(PluginKind kind, string name) =>
        entries[kind].FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.Ordinal));

    /// <param name="pluginDirectories">Absolute folders to scan; missing ones are skipped.</param>
    /// <param name="configPath">Configuration path of the folder list, for messages.</param>
    public static PluginCatalog Load(IReadOnlyList<string> pluginDirectories, string configPath = "Umt:PluginDirectories")
    {
        var errors = new List<string>();
        var assemblies = new List<Assembly>(PluginAssemblyScanner.LoadBuiltIn());
        for (int i = 0; i < pluginDirectories.Count; i++)
        {
            if (Directory.Exists(pluginDirectories[i]))
            {
                assemblies.AddRange(PluginAssemblyScanner.LoadFolder(pluginDirectories[i], $"{configPath}:{i}", errors));
            }
        }
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }

        CompositionHost container;
        try
        {
            container = new ContainerConfiguration().WithAssemblies(assemblies).CreateContainer();
        }
        catch (ReflectionTypeLoadException e)
        {
            throw new ConfigurationException(
                $"A plugin assembly could not be scanned: {string.Join("; ", e.LoaderExceptions.Select(x => x?.Message).Distinct())}");
        }
        using (container)
        {
            var catalog = new Dictionary<PluginKind, IReadOnlyList<PluginEntry>>
            {
                [PluginKind.Masking] = Collect<IMaskingStrategyFactory>(container, PluginKind.Masking, errors),
                [PluginKind.Teacher] = Collect<ITeacherFactory>(container, PluginKind.Teacher, errors),
                [PluginKind.Objective] = Collect<IObjectiveFactory>(container, PluginKind.Objective, errors),
                [PluginKind.Dataset] = Collect<IVideoDatasetFactory>(container, PluginKind.Dataset, errors),
                [PluginKind.TextEncoder] = Collect<ITextEncoderFactory>(container, PluginKind.TextEncoder, errors),
            };
            if (errors.Count > 0)
            {
                throw new ConfigurationException(errors);
            }
            return new PluginCatalog(catalog);
        }
    }

    private static List<PluginEntry> Collect<TFactory>(CompositionHost container, PluginKind kind, List<string> errors)
        where TFactory : IPluginFactory
    {
        var found = new List<PluginEntry>();
        foreach (var export in container.GetExports<Lazy<TFactory, PluginMetadata>>())
        {
            TFactory factory = export.Value;
            string assembly = factory.GetType().Assembly.Location;
            string name = export.Metadata.Name;
            if (!KebabCase().IsMatch(name))
            {
                errors.Add($"The {kind.Noun()} '{name}' in {Path.GetFileName(assembly)} is not a valid plugin name: names are lower kebab-case (e.g. 'my-objective').");
                continue;
            }
            if (found.FirstOrDefault(e => e.Name == name) is { } existing)
            {
                errors.Add($"Two {kind.Noun()} plugins are named '{name}': {existing.AssemblyPath} ({existing.Factory.GetType().FullName}) "
                    + $"and {assembly} ({factory.GetType().FullName}). Plugin names must be unique within a kind.");
                continue;
            }
            found.Add(new PluginEntry(kind, name, export.Metadata.Description, factory, assembly));
        }
        return found.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
    }

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$")]
    private static partial Regex KebabCase();
}
