namespace Umt.Abstractions.Composition;

/// <summary>
/// Typed base shared by the per-kind factory bases: casts the runner's bound options object to
/// the plugin's own options class once, so plugin authors only see their typed options.
/// </summary>
public abstract class PluginFactory<TOptions> : IPluginFactory
    where TOptions : class, new()
{
    /// <inheritdoc />
    public Type OptionsType => typeof(TOptions);

    /// <summary>The typed options, or a clear error when the runner passed the wrong type.</summary>
    protected static TOptions Cast(object options) => options as TOptions
        ?? throw new ArgumentException($"Expected options of type {typeof(TOptions).Name}, got {options?.GetType().Name ?? "null"}.", nameof(options));
}
