using Umt.Plugins.Datasets.Manifests;

namespace Umt.Tests.Datasets.Manifests;

/// <summary>The official WebVid-2M/10M CSVs.</summary>
public sealed class WebVidCsvTests
{
    private static Manifest Parse(string text, string pattern = "{page_dir}/{videoid}.mp4") =>
        WebVidCsv.Parse(new StringReader(text), ManifestTestRoot.Root, pattern);

    [Fact]
    public void Rows_give_path_and_quoted_caption()
    {
        const string Text = """
            videoid,contentUrl,duration,page_dir,name
            21179416,https://x/21179416.mp4,PT00H00M11S,1066_1070,"Aerial shot, winter forest"
            5629,https://x/5629.mp4,PT00H00M29S,001_050,"He said ""go"", then left
            on foot"
            77,https://x/77.mp4,PT00H00M10S,001_050,Plain caption
            """;

        var manifest = Parse(Text);

        manifest.Rejected.Should().BeEmpty();
        manifest.Entries.Select(e => (e.Line, e.Path, e.Label)).Should().Equal(
            (2, ManifestTestRoot.Under("1066_1070/21179416.mp4"), (int?)null),
            (3, ManifestTestRoot.Under("001_050/5629.mp4"), (int?)null),
            (5, ManifestTestRoot.Under("001_050/77.mp4"), (int?)null));
        manifest.Entries.Select(e => e.Captions.Single()).Should().Equal(
            "Aerial shot, winter forest", "He said \"go\", then left\non foot", "Plain caption");
    }

    [Fact]
    public void WebVid_10M_extra_column_in_any_order_is_read_by_name()
    {
        const string Text = "videoid,contentUrl,duration,page_idx,page_dir,name\n31353427,https://x,PT00H00M16S,1,002001_002050,\"Sunset, beach\"\n";

        var entry = Parse(Text).Entries.Single();

        entry.Path.Should().Be(ManifestTestRoot.Under("002001_002050/31353427.mp4"));
        entry.Captions.Should().Equal("Sunset, beach");
    }

    [Fact]
    public void Bad_rows_are_rejected_with_line_numbers()
    {
        const string Text = "videoid,contentUrl,duration,page_dir,name\n1,u,d,p,\n2,u,d,,cap\n3,u,d,p\n4,u,d,..,cap\n5,u,d,p,\"open\n";

        var manifest = Parse(Text);

        manifest.Entries.Should().BeEmpty();
        manifest.Rejected.Select(r => r.Line).Should().Equal(2, 3, 4, 5, 6);
        manifest.Rejected.Select(r => r.Reason).Should().Equal(
            "empty caption",
            "empty field 'page_dir'",
            "expected 5 fields, found 4",
            "path escapes the media root",
            "unterminated quote (the record starting on line 6 runs to the end of the file)");
        manifest.Rows.Should().Be(5);
    }

    [Fact]
    public void Header_without_name_throws()
    {
        var act = () => Parse("videoid,contentUrl,duration,page_dir\n1,u,d,p\n");

        act.Should().Throw<InvalidDataException>().WithMessage("*'name'*found: 'videoid', 'contentUrl', 'duration', 'page_dir'*");
    }
}
