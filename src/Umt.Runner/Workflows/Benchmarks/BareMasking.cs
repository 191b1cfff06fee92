using Umt.Plugins.Masking.Random;
using Umt.Plugins.Masking.Semantic;
using Umt.Plugins.Masking.Tube;

namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>
/// A built-in masking the hand-written steps reproduce, recognised by its bound options' type, so a
/// plugin of another assembly is never mistaken for one whatever it is named.
/// </summary>
/// <param name="Name"><c>tube</c>, <c>random</c> or <c>semantic</c>.</param>
/// <param name="Ratio">Hidden share of the tokens.</param>
public sealed record BareMasking(string Name, double Ratio)
{
    /// <summary>The masking <paramref name="options"/> configure, or null for one no hand-written step draws.</summary>
    public static BareMasking? Of(object options) => options switch
    {
        TubeMaskingOptions tube => new("tube", tube.Ratio),
        RandomMaskingOptions random => new("random", random.Ratio),
        SemanticMaskingOptions semantic => new("semantic", semantic.Ratio),
        _ => null,
    };
}
