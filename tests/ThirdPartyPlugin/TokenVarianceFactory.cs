using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Objectives;

namespace Umt.ThirdParty.SampleObjective;

/// <summary>Built like an external plugin: this project references Umt.Abstractions compile-only.</summary>
[ExportObjective("token-variance", Description = "Variance floor on the last block's visible tokens (sample third-party plugin)."), Shared]
internal sealed class TokenVarianceFactory : ObjectiveFactory<TokenVarianceOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public TokenVarianceFactory()
    {
    }

    protected override ObjectiveTraits Describe(TokenVarianceOptions options, PluginContext context) => new([context.Student.Depth - 1]);

    protected override IObjective Create(TokenVarianceOptions options, PluginContext context, int? teacherWidth) =>
        new TokenVarianceObjective(options, context.Student.Depth - 1);
}
