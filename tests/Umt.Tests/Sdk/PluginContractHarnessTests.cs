using Umt.Abstractions.Composition;
using Umt.Abstractions.Masking;
using Umt.Plugin.Testing;
using static TorchSharp.torch;

namespace Umt.Tests.Sdk;

/// <summary>The harness fails a plugin that breaks its contract, naming the plugin and the promise.</summary>
public sealed class PluginContractHarnessTests
{
    public sealed class HalfOptions
    {
        public double Ratio { get; set; } = 0.5;
    }

    /// <summary>Hides the first half of every clip, and claims one visible token more than it keeps.</summary>
    private sealed class OverpromisingFactory : MaskingStrategyFactory<HalfOptions>
    {
        protected override MaskingTraits Describe(HalfOptions options, PluginContext context) => new(false, false, grid => grid.Count / 2 + 1);

        protected override IMaskingStrategy Create(HalfOptions options, PluginContext context) => new FirstHalf();
    }

    private sealed class FirstHalf : IMaskingStrategy
    {
        public Tensor CreateMask(MaskingInput input) => (arange(input.Grid.Count) < input.Grid.Count / 2).expand(input.Keys.Count, -1).to(input.Device); // [B, N], true = hidden
    }

    private static PluginContractHarness Harness(string name, IPluginFactory? factory, string? failure = null) =>
        new([new PluginExport(PluginKind.Masking, name, "", factory, failure)]);

    [Fact]
    public void A_mask_whose_visible_count_differs_from_describe_fails_naming_the_plugin()
    {
        var check = () => Harness("first-half", new OverpromisingFactory()).Check(PluginKind.Masking, "first-half");

        check.Should().Throw<PluginContractException>().WithMessage("the masking strategy plugin 'first-half': every row must keep the 33 visible tokens Describe promises*");
    }

    [Fact]
    public void A_factory_that_threw_when_constructed_fails_with_its_reason()
    {
        var check = () => Harness("broken", null, "InvalidOperationException: no licence").Check(PluginKind.Masking, "broken");

        check.Should().Throw<PluginContractException>().WithMessage("*'broken': its factory must construct; it threw InvalidOperationException: no licence");
    }

    [Fact]
    public void A_name_that_is_not_kebab_case_fails()
    {
        var check = () => Harness("FirstHalf", new OverpromisingFactory()).Check(PluginKind.Masking, "FirstHalf");

        check.Should().Throw<PluginContractException>().WithMessage("*lower kebab-case*");
    }

    [Fact]
    public void An_assembly_is_composed_as_the_runner_composes_it()
    {
        var harness = PluginContractHarness.ForAssembly(typeof(Umt.Plugins.Masking.Random.RandomMaskingOptions).Assembly);

        harness.Names(PluginKind.Masking).Should().Equal("random", "semantic", "tube");
        harness.All().Should().HaveCount(3);
    }
}
