using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Masking;

namespace Umt.Plugins.Masking.Semantic;

/// <summary>
/// Exports UMT's attention-guided masking. It reads the teacher's per-frame CLS→patch attention,
/// so it asks the runner for teacher attention and for single-frame token slots (one attention row
/// per slot); both needs are checked before anything is allocated.
/// </summary>
[ExportMaskingStrategy("semantic", Description = "Per frame, tokens drawn without replacement by the teacher's CLS attention stay visible (UMT attention-guided masking)."), Shared]
internal sealed class SemanticMaskingFactory : MaskingStrategyFactory<SemanticMaskingOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public SemanticMaskingFactory()
    {
    }

    protected override MaskingTraits Describe(SemanticMaskingOptions options, PluginContext context) => new(
        NeedsTeacherAttention: true,
        NeedsTubeletOne: true,
        VisiblePerClip: grid => SemanticMaskingStrategy.VisibleCount(options.Ratio, grid));

    protected override IMaskingStrategy Create(SemanticMaskingOptions options, PluginContext context) =>
        new SemanticMaskingStrategy(options.Ratio);
}
