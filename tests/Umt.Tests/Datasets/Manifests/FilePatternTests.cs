using Umt.Plugins.Datasets.Manifests;

namespace Umt.Tests.Datasets.Manifests;

/// <summary>File names from row fields: placeholders, zero padding and errors.</summary>
public sealed class FilePatternTests
{
    private static readonly string[] Known = ["id", "start", "dir"];

    private static string Format(string pattern, Dictionary<string, string> values)
    {
        new FilePattern(pattern, Known).TryFormat(n => values.GetValueOrDefault(n), out string path, out string? reason).Should().BeTrue(reason);
        return path;
    }

    [Fact]
    public void Placeholders_and_zero_padding_are_substituted()
    {
        Format("{dir}/{id}_{start:06}.mp4", new() { ["dir"] = "d", ["id"] = "-abc", ["start"] = "14" })
            .Should().Be("d/-abc_000014.mp4");
    }

    [Theory]
    [InlineData("7", "0007")]
    [InlineData("0", "0000")]
    [InlineData("00012", "0012")]
    [InlineData("123456", "123456")]
    [InlineData(" 5 ", "0005")]
    public void Zero_padding_matches_python_integer_formatting(string value, string expected)
    {
        Format("{start:04}", new() { ["start"] = value }).Should().Be(expected);
    }

    [Fact]
    public void Doubled_braces_are_literal()
    {
        Format("{{{id}}}.mp4", new() { ["id"] = "x" }).Should().Be("{x}.mp4");
    }

    [Fact]
    public void Unknown_placeholder_throws_naming_it_and_the_known_ones()
    {
        var act = () => new FilePattern("{youtube}.mp4", Known);

        act.Should().Throw<ArgumentException>().WithMessage("*{youtube}*{id}, {start}, {dir}*");
    }

    [Theory]
    [InlineData("{id:6}")]
    [InlineData("{id:x}")]
    [InlineData("{id:0}")]
    [InlineData("{id")]
    [InlineData("id}")]
    public void Bad_pattern_syntax_throws(string pattern)
    {
        var act = () => new FilePattern(pattern, Known);

        act.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("1.5", "start '1.5' is not a non-negative integer")]
    [InlineData("-3", "start '-3' is not a non-negative integer")]
    [InlineData("", "empty field 'start'")]
    public void Bad_values_fail_with_a_reason(string value, string expected)
    {
        var pattern = new FilePattern("{start:06}.mp4", Known);

        pattern.TryFormat(_ => value, out _, out string? reason).Should().BeFalse();

        reason.Should().Be(expected);
    }

    [Fact]
    public void Missing_field_fails_with_its_name()
    {
        new FilePattern("{dir}/{id}", Known).TryFormat(n => n == "id" ? "x" : null, out _, out string? reason).Should().BeFalse();

        reason.Should().Be("missing field 'dir'");
    }

    [Fact]
    public void Placeholders_lists_the_names_used()
    {
        new FilePattern("{dir}/{id}_{id}.mp4", Known).Placeholders.Should().BeEquivalentTo("dir", "id");
    }
}
