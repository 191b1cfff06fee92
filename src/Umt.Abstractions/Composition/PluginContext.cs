using Serilog;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.TextEncoders;
using static TorchSharp.torch;

namespace Umt.Abstractions.Composition;

/// <summary>What a factory may use when it creates a per-run object.</summary>
/// <param name="Device">The run's device; every tensor the plugin makes lives there.</param>
/// <param name="Seed">The run's seed (<c>Umt:Run:Seed</c>).</param>
/// <param name="Student">Geometry and size of the student the plugin works with.</param>
/// <param name="Log">Logger scoped to the plugin.</param>
/// <param name="BaseDirectory">Folder that relative paths in options are resolved against.</param>
public sealed record PluginContext(Device Device, long Seed, StudentSpec Student, ILogger Log, string BaseDirectory)
{
    /// <summary>The run's text encoder, when it has one (stage 2): objectives size their heads by its width.</summary>
    public TextEncoderTraits? TextEncoder { get; init; }

    /// <summary>Resolves a path from an option against <see cref="BaseDirectory"/>.</summary>
    public string ResolvePath(string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(BaseDirectory, path));
}
