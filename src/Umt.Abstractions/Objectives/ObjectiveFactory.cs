using Umt.Abstractions.Composition;

namespace Umt.Abstractions.Objectives;

/// <summary>Runner-facing factory contract of kind <c>objective</c>.</summary>
public interface IObjectiveFactory : IPluginFactory
{
    /// <summary>What the objective needs, checked before any tensor is allocated.</summary>
    ObjectiveTraits Describe(object options, PluginContext context);

    /// <param name="teacherWidth">Teacher feature width C, or null when the run has no teacher.</param>
    IObjective Create(object options, PluginContext context, int? teacherWidth);
}

/// <summary>Base class plugin authors derive from.</summary>
public abstract class ObjectiveFactory<TOptions> : PluginFactory<TOptions>, IObjectiveFactory
    where TOptions : class, new()
{
    public ObjectiveTraits Describe(object options, PluginContext context) => Describe(Cast(options), context);

    public IObjective Create(object options, PluginContext context, int? teacherWidth) => Create(Cast(options), context, teacherWidth);

    protected abstract ObjectiveTraits Describe(TOptions options, PluginContext context);

    protected abstract IObjective Create(TOptions options, PluginContext context, int? teacherWidth);
}
