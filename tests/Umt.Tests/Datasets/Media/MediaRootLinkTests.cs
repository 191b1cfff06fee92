using System.Text.Json;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Cc3m;
using Umt.Plugins.Datasets.Media;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Datasets.Media;

/// <summary>A manifest row reaches only files whose real path (links followed) lies inside the media root.</summary>
public sealed class MediaRootLinkTests
{
    [Fact]
    public void Links_that_lead_out_of_the_media_root_are_unreadable_and_links_that_stay_inside_are_read()
    {
        using var temp = new TemporaryDirectory();
        Directory.CreateDirectory(temp.Combine("root"));
        Directory.CreateDirectory(temp.Combine("outside"));
        MediaWriters.WriteJpeg(temp.Combine("root", "inside.jpg"), new byte[16 * 16 * 3], 16, 16);
        MediaWriters.WriteJpeg(temp.Combine("outside", "secret.jpg"), new byte[16 * 16 * 3], 16, 16);
        File.CreateSymbolicLink(temp.Combine("root", "alias.jpg"), "inside.jpg");
        File.CreateSymbolicLink(temp.Combine("root", "leak.jpg"), Path.Combine("..", "outside", "secret.jpg"));
        Directory.CreateDirectory(temp.Combine("root", "sub"));
        Directory.CreateSymbolicLink(temp.Combine("root", "sub", "linked"), Path.Combine("..", "..", "outside"));
        Directory.CreateSymbolicLink(temp.Combine("root-link"), "root");
        string[] rows = ["inside.jpg", "alias.jpg", "leak.jpg", "sub/linked/secret.jpg"];
        File.WriteAllText(temp.Combine("list.json"), JsonSerializer.Serialize(rows.Select(f => new Dictionary<string, string> { ["image"] = f, ["caption"] = "a picture" })));

        foreach (string root in new[] { "root", "root-link" })
        {
            using var dataset = MediaFixtures.Create("cc3m", new Cc3mOptions { Manifest = temp.Combine("list.json"), Root = temp.Combine(root) }, frames: 1, imageSize: 16, temp.Path);

            dataset.Read(0, 1).Pixels.Should().HaveCount(3 * 16 * 16, $"a plain file under {root} is read");
            dataset.Read(1, 1).Pixels.Should().HaveCount(3 * 16 * 16, $"a link to a file inside {root} is read");
            foreach (int i in new[] { 2, 3 })
            {
                var failure = dataset.Invoking(d => d.Read(i, 1)).Should().Throw<UnreadableMediaException>($"{rows[i]} leads out of {root}").Which;
                failure.Reason.Should().Be("outside the media root");
                failure.MediaPath.Should().Be(temp.Combine(root, rows[i]));
                failure.Detail.Should().Contain(temp.Combine("outside", "secret.jpg"), "the detail says where the link leads");
            }
        }
    }
}
