using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Objectives;

namespace Umt.Plugins.Objectives.Mlm;

[ExportObjective("mlm", Description = "Masked language modelling (stage 2): BERT 80/10/10 corruption, text layers, then fusion layers attending to the masked clip."), Shared]
internal sealed class MlmFactory : ObjectiveFactory<MlmOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public MlmFactory()
    {
    }

    protected override ObjectiveTraits Describe(MlmOptions options, PluginContext context) => VisionLanguageTraits.Of(context.Student);

    protected override IObjective Create(MlmOptions options, PluginContext context, int? teacherWidth) => new MlmObjective(options);
}
