using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Masking;

namespace Umt.Plugins.Masking.Random;

[ExportMaskingStrategy("random", Description = "Uniformly random tokens of the whole clip hidden (VideoMAE RandomMaskingGenerator)."), Shared]
internal sealed class RandomMaskingFactory : MaskingStrategyFactory<RandomMaskingOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public RandomMaskingFactory()
    {
    }

    protected override MaskingTraits Describe(RandomMaskingOptions options, PluginContext context) => new(
        NeedsTeacherAttention: false,
        NeedsTubeletOne: false,
        VisiblePerClip: grid => RandomMaskingStrategy.VisibleCount(options.Ratio, grid));

    protected override IMaskingStrategy Create(RandomMaskingOptions options, PluginContext context) =>
        new RandomMaskingStrategy(options.Ratio);
}
