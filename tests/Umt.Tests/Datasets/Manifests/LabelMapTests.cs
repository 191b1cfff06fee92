using Umt.Plugins.Datasets.Manifests;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Datasets.Manifests;

/// <summary>K710 label maps: reading and applying.</summary>
public sealed class LabelMapTests
{
    [Fact]
    public void Read_returns_the_array()
    {
        using var folder = new TemporaryDirectory();
        string path = folder.Combine("label_mixto400.json");
        File.WriteAllText(path, "[5, 0, 709,\n 3]");

        LabelMap.Read(path).Should().Equal(5, 0, 709, 3);
    }

    [Theory]
    [InlineData("{\"a\": 1}")]
    [InlineData("[1, \"2\"]")]
    [InlineData("[1, -2]")]
    [InlineData("[1.5]")]
    [InlineData("[1, 2")]
    public void Invalid_maps_throw_naming_the_file(string json)
    {
        using var folder = new TemporaryDirectory();
        string path = folder.Combine("map.json");
        File.WriteAllText(path, json);

        var act = () => LabelMap.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*");
    }

    [Fact]
    public void Apply_maps_labels_and_rejects_labels_outside_the_map_in_line_order()
    {
        var manifest = KineticsList.Parse(new StringReader("a.mp4 0\nb.mp4 x\nc.mp4 2\nd.mp4 3\n"), ManifestTestRoot.Root, " ");

        var mapped = LabelMap.Apply(manifest, [10, 11, 12]);

        mapped.Entries.Select(e => (e.Line, e.Label)).Should().Equal((1, 10), (3, 12));
        mapped.Rejected.Select(r => (r.Line, r.Reason)).Should().Equal(
            (2, "label 'x' is not an integer"), (4, "label 3 is outside the label map (3 entries)"));
        mapped.Rejected[1].Text.Should().Be(ManifestTestRoot.Under("d.mp4"));
        mapped.Rows.Should().Be(manifest.Rows);
    }

    [Fact]
    public void Apply_keeps_entries_without_a_label()
    {
        var manifest = new Manifest([new ManifestEntry(1, "/x.mp4", null, [])], []);

        LabelMap.Apply(manifest, [1]).Entries.Single().Label.Should().BeNull();
    }
}
