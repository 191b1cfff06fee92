using System.Reflection;
using System.Runtime.Loader;

namespace Umt.Runner.Engine.Composition;

/// <summary>
/// Loads one third-party plugin folder (dotnet/samples AppWithPlugin). Assemblies the host already
/// has — the contracts, the models, TorchSharp, MEF, logging — resolve to the host's copies, so the
/// plugin's types implement the host's interfaces and TorchSharp finds its natives next to the host.
/// Everything else the plugin brings is loaded from its folder.
/// </summary>
internal sealed class PluginLoadContext(string mainAssemblyPath)
    : AssemblyLoadContext(name: Path.GetFileNameWithoutExtension(mainAssemblyPath), isCollectible: false)
{
    private readonly AssemblyDependencyResolver resolver = new(mainAssemblyPath);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (IsHostAssembly(assemblyName))
        {
            return null; // fall back to the default context: one type identity for shared contracts
        }
        string? path = resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    private static bool IsHostAssembly(AssemblyName name)
    {
        if (Default.Assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), name)))
        {
            return true;
        }
        try
        {
            // The host can resolve it (a framework or host dependency not loaded yet).
            Default.LoadFromAssemblyName(new AssemblyName(name.Name!));
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }
}
