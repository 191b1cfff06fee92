using System.ComponentModel.DataAnnotations;
using Umt.Abstractions.Geometry;
using Umt.Plugins.Masking.Random;

namespace Umt.Tests.Masking;

public sealed class RandomMaskingTests
{
    [Fact]
    public void Is_exported_as_random_with_its_options_type()
    {
        var (factory, metadata) = MaskingTestKit.Export("random");

        factory.OptionsType.Should().Be<RandomMaskingOptions>();
        metadata.Description.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Defaults_to_videomae_ratio_and_rejects_ratios_outside_zero_to_one()
    {
        new RandomMaskingOptions().Ratio.Should().Be(0.9);
        IsValid(new RandomMaskingOptions { Ratio = 0.0 }).Should().BeTrue();
        IsValid(new RandomMaskingOptions { Ratio = 0.99 }).Should().BeTrue();
        IsValid(new RandomMaskingOptions { Ratio = 1.0 }).Should().BeFalse("a ratio of 1 leaves no visible token");
        IsValid(new RandomMaskingOptions { Ratio = -0.1 }).Should().BeFalse();
    }

    [Fact]
    public void Slots_of_a_clip_hide_different_patches()
    {
        // Unlike tube masking, the draw is over all N tokens, so slot 0 and slot 1 of a clip
        // agree on all 49 patches only with probability ~1e-28.
        var grid = new TokenGrid(T: 2, H: 7, W: 7);
        var rows = MaskingTestKit.Rows(MaskingTestKit.Strategy("random", 0.5), grid, MaskingTestKit.Keys(step: 0, first: 0, count: 4));

        rows.Should().AllSatisfy(row => row[..49].Should().NotEqual(row[49..]));
    }

    private static bool IsValid(object options) =>
        Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true);
}
