using System.Composition;
using System.Diagnostics;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Objectives;

namespace Umt.ThirdParty.SampleObjective;

/// <summary>
/// A plugin whose constructor throws, shipped beside a working one: the host must record it as
/// broken and keep serving every command that does not select it.
/// </summary>
[ExportObjective("broken-constructor", Description = "Throws in its constructor (sample broken plugin)."), Shared]
internal sealed class BrokenConstructorFactory : ObjectiveFactory<TokenVarianceOptions>
{
    public const string Failure = "the licence server is unreachable (sample broken plugin)";

    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public BrokenConstructorFactory() => throw new InvalidOperationException(Failure);

    protected override ObjectiveTraits Describe(TokenVarianceOptions options, PluginContext context) => throw new UnreachableException();

    protected override IObjective Create(TokenVarianceOptions options, PluginContext context, int? teacherWidth) => throw new UnreachableException();
}
