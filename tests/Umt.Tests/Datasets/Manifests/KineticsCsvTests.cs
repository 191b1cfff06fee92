using Umt.Plugins.Datasets.Manifests;

namespace Umt.Tests.Datasets.Manifests;

/// <summary>The official Kinetics CSVs: columns by name, file pattern, class indices.</summary>
public sealed class KineticsCsvTests
{
    private const string DefaultPattern = "{youtube_id}_{time_start:06}_{time_end:06}.mp4";

    private const string Train = """
        label,youtube_id,time_start,time_end,split
        zumba,--abc,14,24,train
        "air drumming",xyz_9,0,10,train
        abseiling,-q1,120,130,train

        zumba,qqq,3,13,train
        """;

    private static (Manifest Manifest, IReadOnlyList<string> Classes) Parse(string text, string pattern = DefaultPattern, IReadOnlyList<string>? classes = null) =>
        KineticsCsv.Parse(new StringReader(text), ManifestTestRoot.Root, pattern, classes);

    [Fact]
    public void Class_index_is_the_position_in_the_sorted_labels_of_the_file()
    {
        var (manifest, classes) = Parse(Train);

        classes.Should().Equal("abseiling", "air drumming", "zumba");
        manifest.Rejected.Should().BeEmpty();
        manifest.Entries.Select(e => (e.Line, e.Label)).Should().Equal((2, 2), (3, 1), (4, 0), (6, 2));
        manifest.Entries.Select(e => e.Path).Should().Equal(
            ManifestTestRoot.Under("--abc_000014_000024.mp4"),
            ManifestTestRoot.Under("xyz_9_000000_000010.mp4"),
            ManifestTestRoot.Under("-q1_000120_000130.mp4"),
            ManifestTestRoot.Under("qqq_000003_000013.mp4"));
    }

    [Fact]
    public void Class_index_comes_from_the_class_list_when_given()
    {
        string[] given = ["zumba", "abseiling", "air drumming", "yoga"];

        var (manifest, classes) = Parse(Train, classes: given);

        classes.Should().Equal(given);
        manifest.Entries.Select(e => e.Label).Should().Equal(0, 2, 1, 0);
    }

    [Fact]
    public void Label_missing_from_the_class_list_is_rejected()
    {
        var (manifest, _) = Parse(Train, classes: ["zumba", "abseiling"]);

        manifest.Rejected.Select(r => (r.Line, r.Reason)).Should().Equal((3, "label 'air drumming' is not in the class list"));
        manifest.Entries.Should().HaveCount(3);
    }

    [Fact]
    public void Column_order_comes_from_the_header_and_extra_columns_are_ignored()
    {
        const string Text = "youtube_id,split,is_cc,time_end,time_start,label\nabc,val,0,20,10,b\ndef,val,1,5,0,a\n";

        var (manifest, classes) = Parse(Text);

        classes.Should().Equal("a", "b");
        manifest.Entries.Select(e => (e.Path, e.Label)).Should().Equal(
            (ManifestTestRoot.Under("abc_000010_000020.mp4"), 1), (ManifestTestRoot.Under("def_000000_000005.mp4"), 0));
    }

    [Fact]
    public void Test_files_without_label_give_null_labels_and_no_classes()
    {
        var (manifest, classes) = Parse("youtube_id,time_start,time_end,split\nabc,1,11,test\n");

        classes.Should().BeEmpty();
        manifest.Entries.Single().Label.Should().BeNull();
    }

    [Fact]
    public void Pattern_may_use_label_and_split_folders()
    {
        var (manifest, _) = Parse(Train, "{split}/{label}/{youtube_id}.mp4");

        manifest.Entries[1].Path.Should().Be(ManifestTestRoot.Under("train/air drumming/xyz_9.mp4"));
    }

    [Fact]
    public void Missing_required_column_throws_naming_the_columns_found()
    {
        var act = () => Parse("label,video,start,end\nzumba,abc,1,2\n");

        act.Should().Throw<InvalidDataException>().WithMessage("*'youtube_id'*found: 'label', 'video', 'start', 'end'*");
    }

    [Fact]
    public void Label_column_is_required_when_the_pattern_uses_it()
    {
        var act = () => Parse("youtube_id,time_start,time_end\nabc,1,2\n", "{label}/{youtube_id}.mp4");

        act.Should().Throw<InvalidDataException>().WithMessage("*'label'*");
    }

    [Fact]
    public void Empty_file_throws()
    {
        var act = () => Parse("\n\n");

        act.Should().Throw<InvalidDataException>();
    }

    [Fact]
    public void Bad_rows_are_rejected_with_line_numbers()
    {
        const string Text = "label,youtube_id,time_start,time_end,split\nzumba,abc,x,2,train\nzumba,def,1\n,ghi,1,2,train\nzumba,../../etc,1,2,train\nzumba,ok,1,2,train\n";

        var (manifest, classes) = Parse(Text, "{youtube_id}/{time_start:06}.mp4");

        classes.Should().Equal("zumba");
        manifest.Entries.Select(e => e.Line).Should().Equal(6);
        manifest.Rejected.Select(r => (r.Line, r.Reason)).Should().Equal(
            (2, "time_start 'x' is not a non-negative integer"),
            (3, "expected 5 fields, found 3"),
            (4, "empty label"),
            (5, "path escapes the media root"));
    }

    [Fact]
    public void Unknown_pattern_placeholder_throws()
    {
        var act = () => Parse(Train, "{video_id}.mp4");

        act.Should().Throw<ArgumentException>().WithMessage("*{video_id}*{youtube_id}*");
    }
}
