using Umt.Abstractions.Composition;

namespace Umt.Runner.Engine.Composition;

/// <summary>
/// A plugin that was found but cannot be used: its factory threw when constructed (its
/// constructor, its static initialiser, a dependency that does not load), or its assembly could
/// not be read at all, in which case the kinds and names of its plugins are unknown. Recorded so
/// that one bad plugin costs only the runs that select it.
/// </summary>
/// <param name="Kind">The kind it exports; null when its assembly could not be read.</param>
/// <param name="Name">Its configuration name; null when its assembly could not be read.</param>
/// <param name="Reason">The innermost exception, e.g. <c>InvalidOperationException: …</c>.</param>
public sealed record BrokenPlugin(PluginKind? Kind, string? Name, string AssemblyPath, string Reason)
{
    /// <summary>One line naming the plugin, its assembly and the reason, for warnings and errors.</summary>
    public string Describe() => Kind is { } kind && Name is not null
        ? $"the {kind.Noun()} plugin '{Name}' in {AssemblyPath} is broken: {Reason}"
        : $"the plugin assembly {AssemblyPath} could not be read: {Reason}";
}
