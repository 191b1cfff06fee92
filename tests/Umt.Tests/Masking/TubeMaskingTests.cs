using System.ComponentModel.DataAnnotations;
using Umt.Abstractions.Geometry;
using Umt.Plugins.Masking.Tube;

namespace Umt.Tests.Masking;

public sealed class TubeMaskingTests
{
    [Fact]
    public void Is_exported_as_tube_with_its_options_type()
    {
        var (factory, metadata) = MaskingTestKit.Export("tube");

        factory.OptionsType.Should().Be<TubeMaskingOptions>();
        metadata.Description.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Defaults_to_videomae_ratio_and_rejects_ratios_outside_zero_to_one()
    {
        new TubeMaskingOptions().Ratio.Should().Be(0.9);
        IsValid(new TubeMaskingOptions { Ratio = 0.0 }).Should().BeTrue();
        IsValid(new TubeMaskingOptions { Ratio = 0.99 }).Should().BeTrue();
        IsValid(new TubeMaskingOptions { Ratio = 1.0 }).Should().BeFalse("a ratio of 1 leaves no visible token");
        IsValid(new TubeMaskingOptions { Ratio = -0.1 }).Should().BeFalse();
    }

    [Fact]
    public void Every_slot_of_a_clip_hides_the_same_patches()
    {
        // Tokens are t-major, so slot t covers tokens [t·P, (t+1)·P).
        var grid = new TokenGrid(T: 4, H: 5, W: 5); // P = 25
        var rows = MaskingTestKit.Rows(MaskingTestKit.Strategy("tube", 0.6), grid, MaskingTestKit.Keys(step: 2, first: 0, count: 6));

        foreach (var row in rows)
        {
            var first = row[..25];
            first.Count(isHidden => isHidden).Should().Be(15); // int(0.6 · 25)
            for (int t = 1; t < grid.T; t++)
            {
                row[(t * 25)..((t + 1) * 25)].Should().Equal(first, $"slot {t} repeats slot 0");
            }
        }
        // The shared pattern is still drawn per clip.
        rows.Select(row => string.Concat(row[..25].Select(bit => bit ? '1' : '0'))).Distinct().Should().HaveCount(6);
    }

    private static bool IsValid(object options) =>
        Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true);
}
