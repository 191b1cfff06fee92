using System.Composition;
using System.Diagnostics;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Masking;

namespace Umt.ThirdParty.SampleObjective;

/// <summary>A plugin whose static constructor throws (a missing resource read at type load): recorded as broken, never fatal to the host.</summary>
[ExportMaskingStrategy("broken-static", Description = "Throws in its static initialiser (sample broken plugin)."), Shared]
internal sealed class BrokenStaticFactory : MaskingStrategyFactory<TokenVarianceOptions>
{
    public const string Failure = "masks.bin is missing (sample broken plugin)";

    // An explicit static constructor runs before the first instance is made (a field initialiser
    // alone may run later, at the field's first use), as a plugin reading a resource at type load.
    static BrokenStaticFactory() => throw new FileNotFoundException(Failure);

    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public BrokenStaticFactory()
    {
    }

    protected override MaskingTraits Describe(TokenVarianceOptions options, PluginContext context) => throw new UnreachableException();

    protected override IMaskingStrategy Create(TokenVarianceOptions options, PluginContext context) => throw new UnreachableException();
}
