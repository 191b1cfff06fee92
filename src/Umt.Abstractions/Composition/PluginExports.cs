using System.Composition.Hosting;
using System.Reflection;
using System.Text.RegularExpressions;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.Teachers;
using Umt.Abstractions.TextEncoders;

namespace Umt.Abstractions.Composition;

/// <summary>One factory an assembly exports: constructed, or the reason its construction failed.</summary>
/// <param name="Factory">The constructed factory; null when <paramref name="Failure"/> says why not.</param>
/// <param name="Failure">The innermost exception of a factory that threw when constructed.</param>
public sealed record PluginExport(PluginKind Kind, string Name, string Description, IPluginFactory? Factory, string? Failure);

/// <summary>
/// How the host discovers an assembly's plugins, shared by the runner's catalog and the contract
/// harness (Umt.Plugin.Testing) so that a plugin's own tests see it exactly as <c>umt</c> will:
/// the assembly is composed in a MEF container of its own and every export of each kind's
/// contract is constructed, one failure never hiding the others.
/// </summary>
public static partial class PluginExports
{
    /// <summary>
    /// Every plugin <paramref name="assembly"/> exports, in kind order. Throws what MEF throws when it
    /// cannot scan the assembly at all (a type that does not load, a part it rejects).
    /// </summary>
    public static IReadOnlyList<PluginExport> Compose(Assembly assembly)
    {
        using var container = new ContainerConfiguration().WithAssembly(assembly).CreateContainer();
        return
        [
            .. Construct<IMaskingStrategyFactory>(container, PluginKind.Masking),
            .. Construct<ITeacherFactory>(container, PluginKind.Teacher),
            .. Construct<IObjectiveFactory>(container, PluginKind.Objective),
            .. Construct<IVideoDatasetFactory>(container, PluginKind.Dataset),
            .. Construct<ITextEncoderFactory>(container, PluginKind.TextEncoder),
        ];
    }

    /// <summary>Plugin names are lower kebab-case (<c>my-objective</c>): they are configuration words.</summary>
    public static bool IsValidName(string name) => KebabCase().IsMatch(name);

    /// <summary>
    /// The exception that says what went wrong: MEF and the runtime wrap a factory's own exception
    /// in <see cref="TargetInvocationException"/> and <see cref="TypeInitializationException"/>.
    /// </summary>
    public static string Reason(Exception e)
    {
        string where = "";
        while (e is TargetInvocationException or TypeInitializationException && e.InnerException is { } inner)
        {
            if (e is TypeInitializationException initialiser)
            {
                where = $"the static initialiser of {initialiser.TypeName} threw ";
            }
            e = inner;
        }
        string message = e is ReflectionTypeLoadException load
            ? string.Join("; ", load.LoaderExceptions.Select(x => x?.Message).Distinct())
            : e.Message;
        return $"{where}{e.GetType().Name}: {message}";
    }

    private static IEnumerable<PluginExport> Construct<TFactory>(CompositionHost container, PluginKind kind)
        where TFactory : IPluginFactory
    {
        foreach (var export in container.GetExports<Lazy<TFactory, PluginMetadata>>())
        {
            PluginExport constructed;
            try
            {
                constructed = new PluginExport(kind, export.Metadata.Name, export.Metadata.Description, export.Value, null);
            }
            catch (Exception e)
            {
                // The factory's own code ran and threw: whatever it throws is its breakage, not the host's.
                constructed = new PluginExport(kind, export.Metadata.Name, export.Metadata.Description, null, Reason(e));
            }
            yield return constructed;
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$")]
    private static partial Regex KebabCase();
}
