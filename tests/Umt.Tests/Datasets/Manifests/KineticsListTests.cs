using Umt.Plugins.Datasets.Manifests;

namespace Umt.Tests.Datasets.Manifests;

/// <summary>The reference's <c>path label</c> / <c>path,label</c> lists.</summary>
public sealed class KineticsListTests
{
    private static Manifest Parse(string text, string separator, string extension = ".mp4") =>
        KineticsList.Parse(new StringReader(text), ManifestTestRoot.Root, separator, extension);

    [Theory]
    [InlineData(",", "a/x.mp4,3\nb/y.mp4,0\n")]
    [InlineData(" ", "a/x.mp4 3\nb/y.mp4\t 0\n")]
    [InlineData("auto", "a/x.mp4,3\nb/y.mp4 0\n")]
    public void Rows_give_full_paths_and_labels(string separator, string text)
    {
        var manifest = Parse(text, separator);

        manifest.Rejected.Should().BeEmpty();
        manifest.Entries.Select(e => (e.Line, e.Path, e.Label, e.Captions.Count)).Should().Equal(
            (1, ManifestTestRoot.Under("a/x.mp4"), 3, 0), (2, ManifestTestRoot.Under("b/y.mp4"), 0, 0));
        manifest.Rows.Should().Be(2);
    }

    [Fact]
    public void Spaces_in_names_survive_with_whitespace_separator()
    {
        var entry = Parse("my class/my clip.mp4 3\n", " ").Entries.Single();

        entry.Path.Should().Be(ManifestTestRoot.Under("my class/my clip.mp4"));
        entry.Label.Should().Be(3);
    }

    [Fact]
    public void Commas_in_names_survive_quoted_or_not()
    {
        var manifest = Parse("\"a, b.mp4\",3\nc, d.mp4,4\n\"say \"\"hi\"\".mp4\",5\n", ",");

        manifest.Rejected.Should().BeEmpty();
        manifest.Entries.Select(e => e.Path).Should().Equal(
            ManifestTestRoot.Under("a, b.mp4"), ManifestTestRoot.Under("c, d.mp4"), ManifestTestRoot.Under("say \"hi\".mp4"));
        manifest.Entries.Select(e => e.Label).Should().Equal(3, 4, 5);
    }

    [Theory]
    [InlineData("a b.mp4,3", "a b.mp4", 3)]
    [InlineData("a,b.mp4 3", "a,b.mp4", 3)]
    [InlineData("\"a, b.mp4\",3", "a, b.mp4", 3)]
    [InlineData("x.mp4, 7", "x.mp4", 7)]
    public void Auto_picks_the_separator_per_line(string line, string path, int label)
    {
        var entry = Parse(line, "auto").Entries.Single();

        entry.Path.Should().Be(ManifestTestRoot.Under(path));
        entry.Label.Should().Be(label);
    }

    [Theory]
    [InlineData("clip", ".mp4", "clip.mp4")]
    [InlineData("dir.v1/clip", ".mp4", "dir.v1/clip.mp4")]
    [InlineData("clip.webm", ".mp4", "clip.webm")]
    [InlineData("clip", "avi", "clip.avi")]
    [InlineData("clip", "", "clip")]
    public void Extension_is_appended_when_the_file_name_has_none(string path, string extension, string expected)
    {
        Parse($"{path} 1", " ", extension).Entries.Single().Path.Should().Be(ManifestTestRoot.Under(expected));
    }

    [Fact]
    public void Blank_and_comment_lines_are_ignored_and_line_numbers_count_them()
    {
        var manifest = Parse("# k400 train\n\na.mp4 1\n   \r\n  # note\nb.mp4 2\n", " ");

        manifest.Entries.Select(e => e.Line).Should().Equal(3, 6);
        manifest.Rows.Should().Be(2);
    }

    [Fact]
    public void Bad_rows_are_rejected_with_line_numbers_and_reasons()
    {
        const string Text = "ok.mp4,1\nbad.mp4,abc\nneg.mp4,-2\n../up.mp4,3\n/etc/passwd,4\nnolabel\n\"open.mp4,5\nbig.mp4,99999999999\nok2.mp4,2\n";

        var manifest = Parse(Text, ",");

        manifest.Entries.Select(e => e.Line).Should().Equal(1, 9);
        manifest.Rejected.Select(r => (r.Line, r.Reason)).Should().Equal(
            (2, "label 'abc' is not an integer"),
            (3, "label '-2' is negative"),
            (4, "path escapes the media root"),
            (5, "path escapes the media root"),
            (6, "expected '<path>,<label>' (no comma)"),
            (7, "unterminated quote"),
            (8, "label '99999999999' is not an integer"));
        manifest.Rejected[0].Text.Should().Be("bad.mp4,abc");
        manifest.Rows.Should().Be(9);
    }

    [Fact]
    public void Whitespace_rows_without_a_label_are_rejected()
    {
        var manifest = Parse("lonely.mp4\nclip.mp4 x\n", " ");

        manifest.Rejected.Select(r => (r.Line, r.Reason)).Should().Equal(
            (1, "expected '<path> <label>' (no whitespace)"), (2, "label 'x' is not an integer"));
    }

    [Fact]
    public void Long_bad_rows_are_shortened_in_the_rejection()
    {
        string line = new string('x', 500) + ".mp4 q";

        var rejection = Parse(line, " ").Rejected.Single();

        rejection.Text.Should().HaveLength(Echo.MaxLength + 1).And.StartWith("xxx").And.Contain("x…x").And.EndWith("x.mp4 q", "the head and the tail are kept");
    }

    [Fact]
    public void Unknown_separator_throws()
    {
        var act = () => Parse("a.mp4 1", ";");

        act.Should().Throw<ArgumentException>().WithMessage("*';'*");
    }
}
