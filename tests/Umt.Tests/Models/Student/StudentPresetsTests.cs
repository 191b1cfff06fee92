using Umt.Models.Student;

namespace Umt.Tests.Models.Student;

public sealed class StudentPresetsTests
{
    [Theory]
    [InlineData("tiny", 192, 6, 3)]
    [InlineData("small", 384, 12, 6)]
    [InlineData("base", 768, 12, 12)]
    [InlineData("large", 1024, 24, 16)]
    public void Presets_have_the_reference_sizes(string name, int width, int depth, int heads)
    {
        var preset = StudentPresets.Get(name);

        (preset.Width, preset.Depth, preset.Heads, preset.MlpRatio).Should().Be((width, depth, heads, 4.0));
    }

    [Fact]
    public void Names_list_every_preset_smallest_first()
    {
        StudentPresets.Names.Should().Equal("tiny", "small", "base", "large");
        StudentPresets.Names.Should().AllSatisfy(name => StudentPresets.Get(name).Should().NotBeNull());
    }

    [Fact]
    public void Unknown_names_are_refused_with_the_valid_ones()
    {
        var lookup = () => StudentPresets.Get("huge");

        lookup.Should().Throw<ArgumentException>().WithMessage("*'huge'*tiny, small, base, large*");
    }

    [Fact]
    public void Defaults_are_umt_stage_one_geometry_and_the_spec_follows_it()
    {
        var preset = StudentPresets.Get("base");
        var spec = preset.ToSpec();

        (preset.Frames, preset.ImageSize, preset.PatchSize, preset.Tubelet, preset.DropPath).Should().Be((8, 224, 16, 1, 0.0));
        spec.Grid.Count.Should().Be(1568);
        (preset with { Tubelet = 2, Frames = 16 }).ToSpec().Grid.Count.Should().Be(1568);
    }

    [Fact]
    public void Inconsistent_configurations_are_refused_naming_each_problem()
    {
        var config = StudentPresets.Get("tiny") with { Heads = 5, PatchSize = 10, DropPath = 1.5 };

        config.Invoking(c => c.Validate()).Should().Throw<ArgumentException>()
            .WithMessage("*Heads 5*Width 192*PatchSize 10*ImageSize 224*DropPath 1.5*");
    }
}
