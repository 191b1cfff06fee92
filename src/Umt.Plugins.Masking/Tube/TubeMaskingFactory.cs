using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Masking;

namespace Umt.Plugins.Masking.Tube;

[ExportMaskingStrategy("tube", Description = "One random spatial mask per clip shared by every time slot (VideoMAE TubeMaskingGenerator)."), Shared]
internal sealed class TubeMaskingFactory : MaskingStrategyFactory<TubeMaskingOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public TubeMaskingFactory()
    {
    }

    protected override MaskingTraits Describe(TubeMaskingOptions options, PluginContext context) => new(
        NeedsTeacherAttention: false,
        NeedsTubeletOne: false,
        VisiblePerClip: grid => TubeMaskingStrategy.VisibleCount(options.Ratio, grid));

    protected override IMaskingStrategy Create(TubeMaskingOptions options, PluginContext context) =>
        new TubeMaskingStrategy(options.Ratio);
}
