using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Masking;

namespace UmtMasking;

/// <summary>
/// Selected by one configuration word: <c>--set Umt:Masking:Use=umt-masking-name</c>.
/// MEF constructs it once ([Shared]); it must hold no per-run state.
/// </summary>
[ExportMaskingStrategy("umt-masking-name", Description = "Uniformly random tokens hidden in every frame, the same count per frame (from the umt-masking template)."), Shared]
internal sealed class UmtMaskingFactory : MaskingStrategyFactory<UmtMaskingOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public UmtMaskingFactory()
    {
    }

    /// <summary>What the runner checks before any tensor is allocated: the visible tokens per clip, and no teacher attention read.</summary>
    protected override MaskingTraits Describe(UmtMaskingOptions options, PluginContext context) => new(
        NeedsTeacherAttention: false,
        NeedsTubeletOne: false,
        VisiblePerClip: grid => grid.T * (grid.PerSlot - UmtMaskingStrategy.HiddenPerFrame(options.Ratio, grid)));

    protected override IMaskingStrategy Create(UmtMaskingOptions options, PluginContext context) => new UmtMaskingStrategy(options.Ratio);
}
