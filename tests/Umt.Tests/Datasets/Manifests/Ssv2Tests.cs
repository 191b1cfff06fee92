using Umt.Plugins.Datasets.Manifests;

namespace Umt.Tests.Datasets.Manifests;

/// <summary>Something-Something v2 split and label files.</summary>
public sealed class Ssv2Tests
{
    private const string Labels = """
        {
          "Approaching something with your camera": "0",
          "Holding something next to something": "1",
          "Putting something into something": 2
        }
        """;

    private static Manifest Parse(string split, string labels = Labels, string pattern = "{id}.webm") =>
        Ssv2.Parse(new StringReader(split), new StringReader(labels), ManifestTestRoot.Root, pattern);

    [Fact]
    public void Template_without_brackets_gives_the_class()
    {
        const string Split = """
            [
              {"id": "78687", "label": "holding potato next to vicks vaporub bottle", "template": "Holding [something] next to [something]", "placeholders": ["potato", "vicks vaporub bottle"]},
              {"id": "42326", "label": "putting x into y", "template": "Putting [something] into [something]", "placeholders": ["x", "y"]},
              {"id": 100, "template": "Approaching [something] with your camera"}
            ]
            """;

        var manifest = Parse(Split);

        manifest.Rejected.Should().BeEmpty();
        manifest.Entries.Select(e => (e.Line, e.Path, e.Label)).Should().Equal(
            (1, ManifestTestRoot.Under("78687.webm"), 1), (2, ManifestTestRoot.Under("42326.webm"), 2), (3, ManifestTestRoot.Under("100.webm"), 0));
    }

    [Fact]
    public void Test_split_without_template_has_null_labels()
    {
        var manifest = Parse("""[{"id": "1420"}, {"id": "1421"}]""", pattern: "videos/{id}.mp4");

        manifest.Entries.Select(e => (e.Path, e.Label)).Should().Equal(
            (ManifestTestRoot.Under("videos/1420.mp4"), (int?)null), (ManifestTestRoot.Under("videos/1421.mp4"), (int?)null));
    }

    [Fact]
    public void Bad_elements_are_rejected_by_array_position()
    {
        const string Split = """
            [
              {"label": "no id", "template": "Holding [something] next to [something]"},
              {"id": "5", "template": "Dancing with [something]"},
              {"id": "6", "template": "Holding [something] next to [something]"},
              "not an object",
              {"id": "../../x"},
              {"id": ["7"]},
              {"id": "8", "template": 3}
            ]
            """;

        var manifest = Parse(Split);

        manifest.Entries.Select(e => e.Line).Should().Equal(3);
        manifest.Rejected.Select(r => (r.Line, r.Reason)).Should().Equal(
            (1, "missing field 'id'"),
            (2, "template 'Dancing with something' is not in the labels file"),
            (4, "element is a JSON string, not an object"),
            (5, "path escapes the media root"),
            (6, "field 'id' is a JSON array, not a string"),
            (7, "field 'template' is a JSON number, not a string"));
        manifest.Rejected[1].Text.Should().Contain("Dancing with [something]");
    }

    [Theory]
    [InlineData("""{"id": "1"}""", "[]")]
    [InlineData("[]", "[1, 2]")]
    [InlineData("[]", """{"Holding something": "one"}""")]
    [InlineData("[", "{}")]
    public void Files_of_the_wrong_shape_throw(string split, string labels)
    {
        var act = () => Parse(split, labels);

        act.Should().Throw<InvalidDataException>();
    }
}
