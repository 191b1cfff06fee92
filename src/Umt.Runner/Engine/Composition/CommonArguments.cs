namespace Umt.Runner.Engine.Composition;

/// <summary>What every verb takes: the repository root, configuration overlays and overrides.</summary>
/// <param name="Root">Folder with <c>plugins.json</c>; null = current folder (or the repository above the app).</param>
/// <param name="Configs">Overlay files, applied in order over <c>plugins.json</c>.</param>
/// <param name="Sets"><c>Key=Value</c> overrides, applied last.</param>
public sealed record CommonArguments(string? Root, IReadOnlyList<string> Configs, IReadOnlyList<string> Sets)
{
    /// <summary>Pairs layered over <c>plugins.json</c> and under every overlay: a checkpoint's own configuration (a bare <c>model.safetensors</c>'s <c>umt.config</c>).</summary>
    public IReadOnlyDictionary<string, string?>? Beneath { get; init; }
}
