using Umt.Abstractions.Composition;

namespace Umt.Abstractions.Masking;

/// <summary>Runner-facing factory contract of kind <c>masking</c>.</summary>
public interface IMaskingStrategyFactory : IPluginFactory
{
    /// <summary>Static facts, checked before any tensor is allocated.</summary>
    MaskingTraits Describe(object options, PluginContext context);

    IMaskingStrategy Create(object options, PluginContext context);
}

/// <summary>Base class plugin authors derive from: typed options in, strategy out.</summary>
public abstract class MaskingStrategyFactory<TOptions> : PluginFactory<TOptions>, IMaskingStrategyFactory
    where TOptions : class, new()
{
    public MaskingTraits Describe(object options, PluginContext context) => Describe(Cast(options), context);

    public IMaskingStrategy Create(object options, PluginContext context) => Create(Cast(options), context);

    protected abstract MaskingTraits Describe(TOptions options, PluginContext context);

    protected abstract IMaskingStrategy Create(TOptions options, PluginContext context);
}
