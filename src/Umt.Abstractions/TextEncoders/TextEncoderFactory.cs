using Umt.Abstractions.Composition;

namespace Umt.Abstractions.TextEncoders;

/// <summary>Runner-facing factory contract of kind <c>text-encoder</c>.</summary>
public interface ITextEncoderFactory : IPluginFactory
{
    /// <summary>Static facts; may read a weight file's header but allocates no tensors.</summary>
    TextEncoderTraits Describe(object options, PluginContext context);

    /// <summary>Builds the encoder with its weights on the context's device; cross-attention keys/values take the student's width.</summary>
    ITextEncoder Create(object options, PluginContext context);
}

/// <summary>Base class plugin authors derive from.</summary>
public abstract class TextEncoderFactory<TOptions> : PluginFactory<TOptions>, ITextEncoderFactory
    where TOptions : class, new()
{
    public TextEncoderTraits Describe(object options, PluginContext context) => Describe(Cast(options), context);

    public ITextEncoder Create(object options, PluginContext context) => Create(Cast(options), context);

    protected abstract TextEncoderTraits Describe(TOptions options, PluginContext context);

    protected abstract ITextEncoder Create(TOptions options, PluginContext context);
}
