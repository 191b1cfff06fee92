using Umt.Plugins.Datasets.Manifests;

namespace Umt.Tests.Datasets.Manifests;

/// <summary>Conceptual Captions 3M TSVs: URL rows named by row index, path rows as written.</summary>
public sealed class Cc3mTsvTests
{
    private static Manifest Parse(string text, string pattern = "{row:08}.jpg") =>
        Cc3mTsv.Parse(new StringReader(text), ManifestTestRoot.Root, pattern);

    [Fact]
    public void Url_rows_are_named_by_row_index_and_path_rows_keep_their_path()
    {
        const string Text = "a very typical bus station\thttp://lh6.example/x.jpg\n"
            + "sierra, the car\tHTTPS://example.com/y.png?q=1\n"
            + "\n"
            + "a rewritten row\timages/z 1.jpg\n"
            + "back to urls\thttps://example.com/w.jpg\n";

        var manifest = Parse(Text);

        manifest.Rejected.Should().BeEmpty();
        manifest.Entries.Select(e => (e.Line, e.Path)).Should().Equal(
            (1, ManifestTestRoot.Under("00000000.jpg")),
            (2, ManifestTestRoot.Under("00000001.jpg")),
            (4, ManifestTestRoot.Under("images/z 1.jpg")),
            (5, ManifestTestRoot.Under("00000003.jpg")));
        manifest.Entries.Select(e => e.Captions.Single()).Should().Equal(
            "a very typical bus station", "sierra, the car", "a rewritten row", "back to urls");
        manifest.Entries.Should().OnlyContain(e => e.Label == null);
    }

    [Fact]
    public void Pattern_is_configurable()
    {
        Parse("c\thttp://x/y.jpg\nd\thttp://x/z.jpg\n", "shard/{row}.jpg").Entries[1].Path.Should().Be(ManifestTestRoot.Under("shard/1.jpg"));
    }

    [Fact]
    public void Bad_rows_are_rejected_and_still_count_as_rows()
    {
        const string Text = "only a caption\n\thttp://x/1.jpg\ncap\t../../etc/passwd\ncap\t/etc/passwd\na\tb\tc\ngood\thttp://x/5.jpg\n";

        var manifest = Parse(Text);

        manifest.Entries.Single().Path.Should().Be(ManifestTestRoot.Under("00000005.jpg"));
        manifest.Rejected.Select(r => (r.Line, r.Reason)).Should().Equal(
            (1, "expected 2 tab-separated fields (caption, url or path), found 1"),
            (2, "empty caption"),
            (3, "path escapes the media root"),
            (4, "path escapes the media root"),
            (5, "expected 2 tab-separated fields (caption, url or path), found 3"));
    }

    [Fact]
    public void Pattern_may_only_use_row()
    {
        var act = () => Parse("c\thttp://x\n", "{id}.jpg");

        act.Should().Throw<ArgumentException>().WithMessage("*{id}*{row}*");
    }
}
