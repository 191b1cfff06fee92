using Umt.Abstractions.Composition;

namespace Umt.Runner.Engine.Composition;

/// <summary>One discovered plugin: its kind, name, factory and where it came from.</summary>
public sealed record PluginEntry(PluginKind Kind, string Name, string Description, IPluginFactory Factory, string AssemblyPath)
{
    public string AssemblyName => Path.GetFileName(AssemblyPath);
}
