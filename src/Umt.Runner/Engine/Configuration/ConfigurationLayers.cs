using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Umt.Runner.Engine.Configuration;

/// <summary>
/// Builds the run's configuration: <c>plugins.json</c>, then each <c>--config FILE</c> overlay in
/// order, then each <c>--set Key=Value</c>. Later layers win key by key; name-keyed objects (not
/// arrays) keep the layering predictable (style-anchors.md §5.6).
/// </summary>
public static class ConfigurationLayers
{
    public const string BaseFileName = "plugins.json";

    /// <param name="baseDirectory">Folder holding <c>plugins.json</c>; relative paths resolve against it.</param>
    /// <param name="beneath">Pairs layered over <c>plugins.json</c> and under the overlays (a checkpoint's own configuration).</param>
    public static IConfigurationRoot Build(string baseDirectory, IReadOnlyList<string> overlays, IReadOnlyList<string> sets, IReadOnlyDictionary<string, string?>? beneath = null)
    {
        var errors = new List<string>();
        string baseFile = Path.Combine(baseDirectory, BaseFileName);
        if (!File.Exists(baseFile))
        {
            errors.Add($"{BaseFileName} not found in {baseDirectory}: run umt from the repository root or pass --repo.");
        }
        var builder = new ConfigurationBuilder().SetBasePath(baseDirectory);
        if (File.Exists(baseFile))
        {
            builder.AddJsonFile(baseFile, optional: false, reloadOnChange: false);
        }
        if (beneath is not null)
        {
            builder.AddInMemoryCollection(beneath);
        }
        foreach (string overlay in overlays)
        {
            string path = Path.GetFullPath(overlay, baseDirectory);
            if (File.Exists(path))
            {
                builder.AddJsonFile(path, optional: false, reloadOnChange: false);
            }
            else
            {
                errors.Add($"--config {overlay}: file not found ({path}).");
            }
        }
        builder.AddInMemoryCollection(ParseSets(sets, errors));
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }
        try
        {
            return builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            throw new ConfigurationException($"Could not read a configuration file: {e.Message}{(e.InnerException is null ? "" : " " + e.InnerException.Message)}");
        }
    }

    private static Dictionary<string, string?> ParseSets(IReadOnlyList<string> sets, List<string> errors)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (string set in sets)
        {
            int equals = set.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                errors.Add($"--set {set}: expected Key=Value, e.g. --set Umt:Masking:Use=tube.");
                continue;
            }
            values[set[..equals].Trim()] = set[(equals + 1)..].Trim();
        }
        return values;
    }

    /// <summary>Finds the folder holding <c>plugins.json</c>: the given one, else the current folder, else a parent of the app.</summary>
    public static string FindBaseDirectory(string? explicitRoot)
    {
        if (explicitRoot is not null)
        {
            return Path.GetFullPath(explicitRoot);
        }
        if (File.Exists(Path.Combine(Environment.CurrentDirectory, BaseFileName)))
        {
            return Environment.CurrentDirectory;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, BaseFileName)))
            {
                return dir.FullName;
            }
        }
        return Environment.CurrentDirectory;
    }

    /// <summary>Flattened <c>Key:Path → value</c> pairs, sorted; used to compare configurations.</summary>
    public static SortedDictionary<string, string> Flatten(IConfiguration configuration)
    {
        var flat = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in configuration.AsEnumerable())
        {
            if (pair.Value is not null)
            {
                flat[pair.Key] = pair.Value.ToString(CultureInfo.InvariantCulture);
            }
        }
        return flat;
    }
}
