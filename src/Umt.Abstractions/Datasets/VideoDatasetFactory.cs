using Umt.Abstractions.Composition;

namespace Umt.Abstractions.Datasets;

/// <summary>Runner-facing factory contract of kind <c>dataset</c>.</summary>
public interface IVideoDatasetFactory : IPluginFactory
{
    /// <summary>Facts about the dataset the options describe, without reading media.</summary>
    DatasetInfo Describe(object options, PluginContext context);

    IVideoDataset Create(object options, PluginContext context);
}

/// <summary>Base class plugin authors derive from.</summary>
public abstract class VideoDatasetFactory<TOptions> : PluginFactory<TOptions>, IVideoDatasetFactory
    where TOptions : class, new()
{
    public DatasetInfo Describe(object options, PluginContext context) => Describe(Cast(options), context);

    public IVideoDataset Create(object options, PluginContext context) => Create(Cast(options), context);

    protected abstract DatasetInfo Describe(TOptions options, PluginContext context);

    protected abstract IVideoDataset Create(TOptions options, PluginContext context);
}
