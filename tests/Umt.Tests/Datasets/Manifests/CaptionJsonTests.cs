using Umt.Plugins.Datasets.Manifests;

namespace Umt.Tests.Datasets.Manifests;

/// <summary>The reference's VINDLU-style caption lists.</summary>
public sealed class CaptionJsonTests
{
    private static Manifest Parse(string json, string mediaKey = "video") =>
        CaptionJson.Parse(new StringReader(json), ManifestTestRoot.Root, mediaKey);

    [Fact]
    public void Caption_string_and_caption_list_are_both_read()
    {
        const string Json = """
            [
              {"video": "a/1.mp4", "caption": "A dog runs."},
              {"video": "b/2.mp4", "caption": ["first caption", "second, with comma"], "duration": 3.5},
              {"video": "3.mp4", "caption": "labelled", "label": 7}
            ]
            """;

        var manifest = Parse(Json);

        manifest.Rejected.Should().BeEmpty();
        manifest.Entries.Select(e => (e.Line, e.Path, e.Label)).Should().Equal(
            (1, ManifestTestRoot.Under("a/1.mp4"), (int?)null), (2, ManifestTestRoot.Under("b/2.mp4"), (int?)null), (3, ManifestTestRoot.Under("3.mp4"), 7));
        manifest.Entries[0].Captions.Should().Equal("A dog runs.");
        manifest.Entries[1].Captions.Should().Equal("first caption", "second, with comma");
    }

    [Fact]
    public void Media_key_selects_images()
    {
        var manifest = Parse("""[{"image": "coco/x.jpg", "caption": "c"}, {"video": "v.mp4", "caption": "c"}]""", "image");

        manifest.Entries.Single().Path.Should().Be(ManifestTestRoot.Under("coco/x.jpg"));
        manifest.Rejected.Single().Should().Be(new ManifestRejection(2, """{"video": "v.mp4", "caption": "c"}""", "missing field 'image'"));
    }

    [Fact]
    public void Bad_elements_are_rejected_by_array_position()
    {
        const string Json = """
            [
              {"video": "ok.mp4", "caption": "fine"},
              {"caption": "no media"},
              {"video": "x.mp4"},
              {"video": "x.mp4", "caption": ""},
              {"video": "x.mp4", "caption": []},
              {"video": "x.mp4", "caption": ["a", 3]},
              {"video": "x.mp4", "caption": 5},
              {"video": ["x.mp4"], "caption": "c"},
              {"video": "x.mp4", "caption": "c", "label": "abc"},
              {"video": "x.mp4", "caption": "c", "label": -1},
              {"video": "../x.mp4", "caption": "c"},
              {"video": "/etc/passwd", "caption": "c"},
              42
            ]
            """;

        var manifest = Parse(Json);

        manifest.Entries.Select(e => e.Line).Should().Equal(1);
        manifest.Rejected.Select(r => (r.Line, r.Reason)).Should().Equal(
            (2, "missing field 'video'"),
            (3, "missing field 'caption'"),
            (4, "empty caption"),
            (5, "empty caption"),
            (6, "field 'caption' holds a value that is not a string"),
            (7, "field 'caption' is a JSON number, not a string or a list of strings"),
            (8, "field 'video' is a JSON array, not a string"),
            (9, "label 'abc' is not an integer"),
            (10, "label '-1' is negative"),
            (11, "path escapes the media root"),
            (12, "path escapes the media root"),
            (13, "element is a JSON number, not an object"));
    }

    [Theory]
    [InlineData("""{"video": "x.mp4", "caption": "c"}""")]
    [InlineData("not json")]
    [InlineData("")]
    public void Files_that_are_not_a_JSON_array_throw(string json)
    {
        var act = () => Parse(json);

        act.Should().Throw<InvalidDataException>();
    }
}
