using System.Reflection;
using Umt.Abstractions.Composition;

namespace Umt.Runner.Engine.Composition;

/// <summary>
/// Finds the assemblies MEF composes: the built-in plugin assemblies next to the runner, and the
/// plugin assemblies in each folder of <c>Umt:PluginDirectories</c> (the folder itself and its
/// immediate sub-folders, one plugin per sub-folder).
/// </summary>
internal static class PluginAssemblyScanner
{
    /// <summary>Built-in plugin assemblies (referenced by the runner, loaded in the default context).</summary>
    public static readonly string[] BuiltIn = ["Umt.Plugins.Masking", "Umt.Plugins.Teachers", "Umt.Plugins.Objectives", "Umt.Plugins.Datasets", "Umt.Plugins.TextEncoders"];

    /// <summary>Assemblies that exist once, in the host; a plugin folder must not carry its own copy.</summary>
    public static readonly string[] SharedWithHost = ["Umt.Abstractions", "Umt.Models", "TorchSharp"];

    public static IReadOnlyList<Assembly> LoadBuiltIn() => BuiltIn.Select(name => Assembly.Load(new AssemblyName(name))).ToArray();

    /// <summary>
    /// Loads every plugin in <paramref name="directory"/>. A folder that carries the host's own
    /// assemblies is an error (every plugin in it would be miswired); a file that does not load is
    /// one broken plugin assembly.
    /// </summary>
    public static IReadOnlyList<Assembly> LoadFolder(string directory, string configPath, List<string> errors, List<BrokenPlugin> broken)
    {
        var assemblies = new List<Assembly>();
        foreach (string folder in new[] { directory }.Concat(Directory.GetDirectories(directory).Order(StringComparer.Ordinal)))
        {
            var dlls = Directory.GetFiles(folder, "*.dll").Order(StringComparer.Ordinal).ToArray();
            if (dlls.Length == 0)
            {
                continue;
            }
            var copies = dlls.Select(Path.GetFileNameWithoutExtension)
                .Where(name => SharedWithHost.Contains(name, StringComparer.OrdinalIgnoreCase)).ToArray();
            if (copies.Length > 0)
            {
                errors.Add($"{configPath}: plugin folder {folder} carries its own copy of {string.Join(", ", copies.Select(c => c + ".dll"))}. "
                    + "A plugin must reference these compile-only (<Private>false</Private><ExcludeAssets>runtime</ExcludeAssets>) so the host's single copy is used; "
                    + "delete them from the folder.");
                continue;
            }
            // A plugin's main assembly is the one with a .deps.json beside it (the SDK writes one
            // for EnableDynamicLoading projects); its dependencies are resolved through that file.
            var mains = dlls.Where(dll => File.Exists(Path.ChangeExtension(dll, ".deps.json"))).ToArray();
            foreach (string main in mains.Length > 0 ? mains : dlls)
            {
                try
                {
                    assemblies.Add(new PluginLoadContext(main).LoadFromAssemblyPath(main));
                }
                catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException)
                {
                    broken.Add(new BrokenPlugin(null, null, main, $"{configPath}: {PluginExports.Reason(e)}"));
                }
            }
        }
        return assemblies;
    }
}
