using Umt.Plugins.Datasets.Kinetics;
using Umt.Plugins.Datasets.Ssv2;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Plugins.Datasets.WebVid;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Datasets.Media;

/// <summary>
/// The real-data plugins on their official manifest formats, end to end through MEF: label spaces,
/// captions and options as a researcher points them at a download.
/// </summary>
public sealed class DatasetPluginTests : IClassFixture<DatasetPluginTests.Clips>
{
    private readonly Clips clips;

    public DatasetPluginTests(Clips clips) => this.clips = clips;

    [Fact]
    public void Ssv2_official_split_and_labels_give_template_classes_and_no_flip_by_default()
    {
        File.WriteAllText(clips.Combine("labels.json"), """{"Holding something": "0", "Pushing something from left to right": "1", "Putting something on a surface": "2"}""");
        File.WriteAllText(clips.Combine("train.json"), """
            [{"id": "000000", "label": "holding a cup", "template": "Holding [something]", "placeholders": ["a cup"]},
             {"id": "000002", "label": "putting a pen on a table", "template": "Putting [something] on a surface", "placeholders": ["a pen"]}]
            """);
        var options = new Ssv2Options { Manifest = clips.Combine("train.json"), Labels = clips.Combine("labels.json"), Root = clips.Root, FilePattern = "videos/clip_{id}.mp4" };
        options.Flip.Should().BeFalse("left/right is the label in SSv2, so the reference trains without flipping");

        using var dataset = MediaFixtures.Create("ssv2", options, 8, 32, clips.Root);

        dataset.Info.LabelSets.Should().Equal(new Dictionary<string, int> { ["action"] = 3 });
        dataset.Read(0, 1).Labels["action"].Should().Be(0);
        dataset.Read(1, 1).Labels["action"].Should().Be(2);
    }

    [Fact]
    public void Kinetics_official_csv_with_a_K710_label_map_gives_labels_in_K710_space()
    {
        File.WriteAllText(clips.Combine("k3.csv"), "label,youtube_id,time_start,time_end,split\nbowling,clip,0,1,train\nabseiling,clip,2,3,train\n");
        File.WriteAllText(clips.Combine("label_mixto3.json"), "[4, 709, 12]");
        Directory.CreateDirectory(clips.Combine("k", "bowling"));
        Directory.CreateDirectory(clips.Combine("k", "abseiling"));
        File.Copy(clips.Combine("videos", "clip_000000.mp4"), clips.Combine("k", "bowling", "clip_000000_000001.mp4"), overwrite: true);
        File.Copy(clips.Combine("videos", "clip_000001.mp4"), clips.Combine("k", "abseiling", "clip_000002_000003.mp4"), overwrite: true);
        var options = new KineticsOptions
        {
            Manifest = clips.Combine("k3.csv"), Root = clips.Combine("k"), LabelMap = clips.Combine("label_mixto3.json"),
            FilePattern = "{label}/{youtube_id}_{time_start:06}_{time_end:06}.mp4",
        };

        using var dataset = MediaFixtures.Create("kinetics", options, 8, 32, clips.Root);

        dataset.Info.LabelSets["action"].Should().Be(710, "a K710 map sends labels into K710's 710 classes");
        dataset.Read(0, 3).Labels["action"].Should().Be(709, "bowling is class 1 of the sorted labels, mapped to 709");
        dataset.Read(1, 3).Labels["action"].Should().Be(4, "abseiling is class 0, mapped to 4");
    }

    [Fact]
    public void WebVid_official_csv_gives_cleaned_captions_from_the_name_column()
    {
        Directory.CreateDirectory(clips.Combine("webvid", "007"));
        File.Copy(clips.Combine("videos", "clip_000002.mp4"), clips.Combine("webvid", "007", "1066.mp4"), overwrite: true);
        File.WriteAllText(clips.Combine("results_2M_val.csv"), "videoid,contentUrl,duration,page_dir,name\n1066,https://example.invalid/1066.mp4,PT00H00M11S,007,\"Aerial view: a red car, driving (fast)!\"\n");

        using var dataset = MediaFixtures.Create("webvid", new WebVidOptions { Manifest = clips.Combine("results_2M_val.csv"), Root = clips.Combine("webvid") }, 8, 32, clips.Root);

        dataset.Info.HasCaptions.Should().BeTrue();
        dataset.Read(0, 5).Caption.Should().Be("aerial view a red car driving fast");
        using var raw = MediaFixtures.Create("webvid", new WebVidOptions { Manifest = clips.Combine("results_2M_val.csv"), Root = clips.Combine("webvid"), CleanCaptions = false }, 8, 32, clips.Root);
        raw.Read(0, 5).Caption.Should().Be("Aerial view: a red car, driving (fast)!");
    }

    [Fact]
    public void A_json_caption_list_gives_every_cleaned_caption_and_draws_one_of_them()
    {
        // The reference's downstream annotation (e.g. MSVD): several captions per video.
        File.WriteAllText(clips.Combine("msvd_test.json"), """
            [{"video": "videos/clip_000001.mp4", "caption": ["A man slices bread.", "Someone is cutting a loaf!", "bread/knife"]}]
            """);

        using var dataset = MediaFixtures.Create("webvid", new WebVidOptions { Manifest = clips.Combine("msvd_test.json"), Root = clips.Root }, 8, 32, clips.Root);
        var sample = dataset.Read(0, 5);

        sample.Captions.Should().Equal("a man slices bread", "someone is cutting a loaf", "bread knife");
        sample.Captions.Should().Contain(sample.Caption!);
    }

    [Fact]
    public void A_missing_media_root_or_manifest_is_a_configuration_error_naming_it()
    {
        var factory = MediaFixtures.Factory("kinetics");
        var context = MediaFixtures.Context(8, 32, clips.Root);

        factory.Invoking(f => f.Describe(new KineticsOptions { Manifest = clips.Combine("nope.csv"), Root = clips.Root }, context))
            .Should().Throw<FileNotFoundException>().WithMessage("*nope.csv*");
        factory.Invoking(f => f.Describe(new KineticsOptions { Manifest = clips.Combine("videos", "clip_000000.mp4"), Root = clips.Combine("absent") }, context))
            .Should().Throw<DirectoryNotFoundException>().WithMessage("*absent*");
    }

    /// <summary>Three synthesized clips shared by the tests.</summary>
    public sealed class Clips : IDisposable
    {
        private readonly TemporaryDirectory temp = new();

        public Clips()
        {
            MediaFixtures.RequireFfmpeg();
            SyntheticMediaExport.Write(new SyntheticExportOptions(temp.Path, Clips: 3, Images: 0, Size: 32, Frames: 8));
        }

        public string Root => temp.Path;

        public string Combine(params string[] parts) => temp.Combine(parts);

        public void Dispose() => temp.Dispose();
    }
}
