using System.Text.Json;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Cc3m;
using Umt.Plugins.Datasets.Manifests;
using Umt.Tests.Datasets.Media;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Datasets.Manifests;

/// <summary>Values a message echoes (paths, rows, config values) are shortened to their head and tail, however long the input.</summary>
public sealed class EchoedValueTests
{
    private const int Huge = 100_000;

    [Fact]
    public void A_huge_manifest_path_is_echoed_by_its_head_and_tail()
    {
        using var temp = new TemporaryDirectory();
        string manifest = temp.Combine(new string('m', Huge) + "-tail.tsv");

        var error = MediaFixtures.Factory("cc3m").Invoking(f => f.Describe(new Cc3mOptions { Manifest = manifest, Root = temp.Path }, MediaFixtures.Context(1, 32, temp.Path)))
            .Should().Throw<FileNotFoundException>().Which;

        error.Message.Length.Should().BeLessThan(1000);
        error.Message.Should().Contain(temp.Path).And.Contain("…").And.Contain("mmm-tail.tsv' does not exist");
    }

    [Fact]
    public void A_huge_label_is_echoed_by_its_head_and_tail_in_the_rejection_reason()
    {
        var manifest = KineticsList.Parse(new StringReader("clip.mp4 " + new string('7', Huge) + "x\n"), ManifestTestRoot.Root, " ");

        string reason = manifest.Rejected.Single().Reason;

        reason.Length.Should().BeLessThan(1000);
        reason.Should().StartWith("label '777").And.Contain("…").And.EndWith("77x' is not an integer");
    }

    [Fact]
    public void A_media_path_longer_than_any_file_path_is_a_bad_row_with_a_bounded_message()
    {
        using var temp = new TemporaryDirectory();
        File.WriteAllText(temp.Combine("list.json"), JsonSerializer.Serialize(new[] { new string('p', Huge) + ".jpg", "other.jpg" }.Select(f => new Dictionary<string, string> { ["image"] = f, ["caption"] = "a picture" })));
        using var dataset = MediaFixtures.Create("cc3m", new Cc3mOptions { Manifest = temp.Combine("list.json"), Root = temp.Path }, frames: 1, imageSize: 32, temp.Path);

        var failure = dataset.Invoking(d => d.Read(0, 1)).Should().Throw<UnreadableMediaException>().Which;

        failure.Message.Length.Should().BeLessThan(1000);
        failure.Reason.Should().Be("bad manifest row");
        failure.Detail.Should().Be($"path longer than {MediaRoot.MaxPathLength} characters");
    }
}
