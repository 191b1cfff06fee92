using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Objectives;

namespace UmtObjective;

/// <summary>
/// Selected by one configuration word: <c>--set Umt:Objectives:umt-objective-name:Weight=0.5</c>.
/// MEF constructs it once ([Shared]); it must hold no per-run state.
/// </summary>
[ExportObjective("umt-objective-name", Description = "Pulls the last block's visible token norms towards TargetNorm (from the umt-objective template)."), Shared]
internal sealed class UmtObjectiveFactory : ObjectiveFactory<UmtObjectiveOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public UmtObjectiveFactory()
    {
    }

    /// <summary>Declares the student blocks it reads; checked before any tensor is allocated.</summary>
    protected override ObjectiveTraits Describe(UmtObjectiveOptions options, PluginContext context) => new([context.Student.Depth - 1]);

    protected override IObjective Create(UmtObjectiveOptions options, PluginContext context, int? teacherWidth) =>
        new UmtObjectiveLoss(options, context.Student.Depth - 1);
}
