using Umt.Plugins.Datasets.Manifests;

namespace Umt.Tests.Datasets.Manifests;

/// <summary>
/// The reference's <c>pre_text</c>. Expected values were computed by running the reference
/// function on the same inputs.
/// </summary>
public sealed class CaptionTextTests
{
    [Theory]
    [InlineData("A Man, riding a BIKE.", "a man riding a bike")]
    [InlineData("Hello--World/Foo", "hello world foo")]
    [InlineData("  He said: \"it's (really) great!\"  \n", "he said its really great")]
    [InlineData("<Person> waves at <person>", "person waves at person")]
    [InlineData("x ~*#;y", "x y")]
    [InlineData("well-known 3/4 cup", "well known 3 4 cup")]
    [InlineData("ÉCOLE", "école")]
    [InlineData("line\n", "line")]
    [InlineData("text \n", "text")]
    [InlineData("text\n\n", "text")]
    [InlineData("a \t\n b", "a b")]
    [InlineData("a\u00a0\u00a0b", "a b")]
    [InlineData("a\u001c\u001cb", "a b")]
    [InlineData("  ", "")]
    [InlineData("a<per-son>b", "a<per son>b")]
    public void Clean_matches_the_reference(string caption, string expected)
    {
        CaptionText.Clean(caption).Should().Be(expected);
    }

    [Theory]
    [InlineData("a\tb", "a\tb")]
    [InlineData("\ttab start", "\ttab start")]
    public void Single_tabs_are_kept_as_in_the_reference(string caption, string expected)
    {
        CaptionText.Clean(caption).Should().Be(expected);
    }

    [Fact]
    public void Max_words_keeps_the_first_words()
    {
        CaptionText.Clean("One two  three four", maxWords: 2).Should().Be("one two");
        CaptionText.Clean("One two", maxWords: 5).Should().Be("one two");
    }
}
