using System.Diagnostics;
using Umt.Plugins.Datasets.Manifests;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Tests.Datasets.Media;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Datasets.Manifests;

/// <summary>
/// The loader is picked from the manifest's form when no <c>--dataset</c> is given: each form the
/// loaders read is told apart, and <c>umt data verify</c> on a list reads it with kinetics.
/// </summary>
public sealed class ManifestFormTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("list.csv", "videos/a.mp4,3\nvideos/b.mp4,0\n", "kinetics,ssv2")]
    [InlineData("list.txt", "videos/a b.mp4 12\n", "kinetics,ssv2")]
    [InlineData("k400.csv", "label,youtube_id,time_start,time_end,split\nabseiling,-3B32lodo2M,59,69,train\n", "kinetics")]
    [InlineData("webvid.csv", "videoid,contentUrl,duration,page_dir,name\n1,http://x/1.mp4,PT00H00M10S,000001_000050,\"a dog, running\"\n", "webvid")]
    [InlineData("cc3m.tsv", "a dog on a beach\thttp://x/1.jpg\n", "cc3m")]
    [InlineData("train.json", "[\n  {\"caption\": \"a dog\", \"video\": \"a.mp4\"}\n]", "webvid")]
    [InlineData("images.json", "\uFEFF[{\"image\": \"a.jpg\", \"caption\": [\"x\", \"y\"]}]", "cc3m")]
    [InlineData("validation.json", "[{\"id\": \"78687\", \"label\": \"holding a cup\", \"template\": \"Holding [something]\", \"placeholders\": [\"a cup\"]}]", "ssv2")]
    public void Each_form_a_loader_reads_is_told_apart(string name, string text, string datasets)
    {
        using var temp = new TemporaryDirectory();
        File.WriteAllText(temp.Combine(name), text);

        var form = ManifestForm.Recognise(temp.Combine(name));

        form.Should().NotBeNull();
        string.Join(",", form!.Datasets).Should().Be(datasets);
    }

    [Theory]
    [InlineData("notes.txt", "these are not media\n")]
    [InlineData("labels.json", "{\"Holding something\": \"0\"}")]
    [InlineData("other.json", "[{\"path\": \"a.mp4\"}]")]
    public void A_file_in_no_known_form_is_not_claimed(string name, string text)
    {
        using var temp = new TemporaryDirectory();
        File.WriteAllText(temp.Combine(name), text);

        ManifestForm.Recognise(temp.Combine(name)).Should().BeNull();
    }

    [Fact]
    public void Data_verify_reads_a_list_manifest_without_dataset_and_asks_for_one_when_the_form_is_unknown()
    {
        MediaFixtures.RequireFfmpeg();
        var clock = Stopwatch.StartNew();
        using var temp = new TemporaryDirectory();
        var media = SyntheticMediaExport.Write(new SyntheticExportOptions(temp.Combine("data"), Clips: 2, Images: 0, Size: 32, Frames: 8));

        // The default configuration's dataset is synthetic, which reads no manifest: the list's form picks kinetics.
        var verified = TestSupport.Umt.Run(log, "data", "verify", media.KineticsList!, "--root", media.Output);

        verified.ExitCode.Should().Be(0, verified.All);
        verified.Output.Should().Contain($"kinetics: 2 samples in {media.KineticsList}: 2 readable, 0 unreadable");
        verified.All.Should().NotContain("is not a known option");

        string unknown = temp.Combine("notes.txt");
        File.WriteAllText(unknown, "not a manifest\n");
        var refused = TestSupport.Umt.Run(log, "data", "verify", unknown, "--root", media.Output);

        refused.ExitCode.Should().Be(2);
        refused.Error.Should().Contain("--dataset").And.Contain("kinetics").And.Contain("ssv2").And.Contain("webvid").And.Contain("cc3m")
            .And.NotContain("   at ", "a configuration error has no stack trace");
        log.WriteLine($"test took {clock.Elapsed.TotalSeconds:F1} s");
    }
}
