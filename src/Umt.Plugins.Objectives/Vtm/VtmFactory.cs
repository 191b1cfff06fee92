using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Objectives;
using static TorchSharp.torch;

namespace Umt.Plugins.Objectives.Vtm;

[ExportObjective("vtm", Description = "Video–text matching (stage 2): hard negatives from the contrastive similarities, fusion layers over positive and negative pairs, 2-way head."), Shared]
internal sealed class VtmFactory : ObjectiveFactory<VtmOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public VtmFactory()
    {
    }

    protected override ObjectiveTraits Describe(VtmOptions options, PluginContext context) => VisionLanguageTraits.Of(context.Student);

    protected override IObjective Create(VtmOptions options, PluginContext context, int? teacherWidth)
    {
        var text = context.TextEncoder ?? throw new InvalidOperationException("vtm needs a text encoder (Umt:TextEncoder:Use).");
        // umt.py: nn.Linear(text_width, 2) with PyTorch's default initialisation, as TorchSharp's.
        return new VtmObjective(nn.Linear(text.Width, 2));
    }
}
