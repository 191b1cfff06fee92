using System.Reflection;
using Umt.Abstractions.Composition;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Engine.Composition;

/// <summary>
/// Every plugin MEF discovered, by kind and name. Built once per process from the built-in plugin
/// assemblies and the folders of <c>Umt:PluginDirectories</c>. Names must be lower kebab-case and
/// unique within a kind; a duplicate is an error naming both assemblies. A plugin that cannot be
/// constructed, or an assembly that cannot be read, is recorded in <see cref="Broken"/> instead:
/// only a run that selects it fails.
/// </summary>
public sealed class PluginCatalog
{
    private readonly Dictionary<PluginKind, IReadOnlyList<PluginEntry>> entries;

    private PluginCatalog(Dictionary<PluginKind, IReadOnlyList<PluginEntry>> entries, IReadOnlyList<BrokenPlugin> broken)
    {
        this.entries = entries;
        Broken = broken;
    }

    /// <summary>Plugins that were found but cannot be used, in discovery order.</summary>
    public IReadOnlyList<BrokenPlugin> Broken { get; }

    /// <summary>Plugins of a kind, sorted by name.</summary>
    public IReadOnlyList<PluginEntry> Of(PluginKind kind) => entries[kind];

    public PluginEntry? Find(PluginKind kind, string name) =>
        entries[kind].FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.Ordinal));

    public BrokenPlugin? FindBroken(PluginKind kind, string name) =>
        Broken.FirstOrDefault(b => b.Kind == kind && string.Equals(b.Name, name, StringComparison.Ordinal));

    /// <param name="pluginDirectories">Absolute folders to scan; missing ones are skipped.</param>
    /// <param name="configPath">Configuration path of the folder list, for messages.</param>
    public static PluginCatalog Load(IReadOnlyList<string> pluginDirectories, string configPath = "Umt:PluginDirectories")
    {
        var errors = new List<string>();
        var broken = new List<BrokenPlugin>();
        var assemblies = new List<Assembly>(PluginAssemblyScanner.LoadBuiltIn());
        for (int i = 0; i < pluginDirectories.Count; i++)
        {
            if (Directory.Exists(pluginDirectories[i]))
            {
                assemblies.AddRange(PluginAssemblyScanner.LoadFolder(pluginDirectories[i], $"{configPath}:{i}", errors, broken));
            }
        }
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }

        var constructed = Enum.GetValues<PluginKind>().ToDictionary(kind => kind, _ => new List<PluginEntry>());
        foreach (var assembly in assemblies)
        {
            Compose(assembly, constructed, broken);
        }
        var catalog = constructed.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<PluginEntry>)Named(pair.Key, pair.Value, errors));
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }
        return new PluginCatalog(catalog, broken);
    }

    /// <summary>
    /// Constructs every factory of one assembly in a container of its own, so that an assembly MEF
    /// cannot scan, or a factory that throws, is isolated from the others.
    /// </summary>
    private static void Compose(Assembly assembly, Dictionary<PluginKind, List<PluginEntry>> constructed, List<BrokenPlugin> broken)
    {
        try
        {
            foreach (var export in PluginExports.Compose(assembly))
            {
                if (export.Factory is { } factory)
                {
                    constructed[export.Kind].Add(new PluginEntry(export.Kind, export.Name, export.Description, factory, assembly.Location));
                }
                else
                {
                    broken.Add(new BrokenPlugin(export.Kind, export.Name, assembly.Location, export.Failure!));
                }
            }
        }
        catch (Exception e)
        {
            // Third-party code: whatever scanning it throws (a type that does not load, a part MEF rejects) stays with it.
            broken.Add(new BrokenPlugin(null, null, assembly.Location, PluginExports.Reason(e)));
        }
    }

    /// <summary>The constructed plugins of a kind whose names are valid and unique, sorted; the others are errors.</summary>
    private static List<PluginEntry> Named(PluginKind kind, List<PluginEntry> constructed, List<string> errors)
    {
        var found = new List<PluginEntry>();
        foreach (var entry in constructed)
        {
            if (!PluginExports.IsValidName(entry.Name))
            {
                errors.Add($"The {kind.Noun()} '{entry.Name}' in {entry.AssemblyName} is not a valid plugin name: names are lower kebab-case (e.g. 'my-objective').");
                continue;
            }
            if (found.FirstOrDefault(e => e.Name == entry.Name) is { } existing)
            {
                errors.Add($"Two {kind.Noun()} plugins are named '{entry.Name}': {existing.AssemblyPath} ({existing.Factory.GetType().FullName}) "
                    + $"and {entry.AssemblyPath} ({entry.Factory.GetType().FullName}). Plugin names must be unique within a kind.");
                continue;
            }
            found.Add(entry);
        }
        return found.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
    }
}
