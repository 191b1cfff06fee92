using Umt.Abstractions.Composition;

namespace Umt.Abstractions.Teachers;

/// <summary>Runner-facing factory contract of kind <c>teacher</c>.</summary>
public interface ITeacherFactory : IPluginFactory
{
    /// <summary>Static facts; may read a weight file's header but allocates no tensors.</summary>
    TeacherTraits Describe(object options, PluginContext context);

    ITeacher Create(object options, PluginContext context);
}

/// <summary>Base class plugin authors derive from.</summary>
public abstract class TeacherFactory<TOptions> : PluginFactory<TOptions>, ITeacherFactory
    where TOptions : class, new()
{
    public TeacherTraits Describe(object options, PluginContext context) => Describe(Cast(options), context);

    public ITeacher Create(object options, PluginContext context) => Create(Cast(options), context);

    protected abstract TeacherTraits Describe(TOptions options, PluginContext context);

    protected abstract ITeacher Create(TOptions options, PluginContext context);
}
