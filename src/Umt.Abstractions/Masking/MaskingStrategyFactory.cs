using Umt.Abstractions.Composition;

namespace Umt.Abstractions.Masking;

/// <summary>Runner-facing factory contract of kind <c>masking</c>.</summary>
public interface IMaskingStrategyFactory : IPluginFactory
{
    MaskingTraits Describe(object options);

    IMaskingStrategy Create(object options, PluginContext context);
}

/// <summary>Base class plugin authors derive from: typed options in, strategy out.</summary>
public abstract class MaskingStrategyFactory<TOptions> : PluginFactory<TOptions>, IMaskingStrategyFactory
    where TOptions : class, new()
{
    public MaskingTraits Describe(object options) => Describe(Cast(options));

    public IMaskingStrategy Create(object options, PluginContext context) => Create(Cast(options), context);

    protected abstract MaskingTraits Describe(TOptions options);

    protected abstract IMaskingStrategy Create(TOptions options, PluginContext context);
}
