using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Objectives;

namespace Umt.Plugins.Objectives.Vtc;

[ExportObjective("vtc", Description = "Video–text contrastive loss (stage 2): clip (per frame when nothing is masked) vs caption [CLS] embeddings, soft targets over equal captions, learnable temperature."), Shared]
internal sealed class VtcFactory : ObjectiveFactory<VtcOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public VtcFactory()
    {
    }

    protected override ObjectiveTraits Describe(VtcOptions options, PluginContext context) => VisionLanguageTraits.Of(context.Student);

    protected override IObjective Create(VtcOptions options, PluginContext context, int? teacherWidth) => new VtcObjective();
}
