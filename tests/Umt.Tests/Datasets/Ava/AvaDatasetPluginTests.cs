using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Ava;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Tests.Datasets.Media;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Datasets.Ava;

/// <summary>
/// The <c>ava</c> dataset plugin on a hand-made AVA layout (a generated video whose frame n is grey
/// level 8·n, so the decoded clip says which frames were read) and on <c>umt data synth</c>'s export.
/// </summary>
public sealed class AvaDatasetPluginTests
{
    // Frames of the student in these tests; picks 2 frames apart put the key frame at position 2.
    private const int Frames = 4;
    private const int Side = 32;

    [Fact]
    public void A_key_frame_gives_the_clip_centred_on_it_and_its_actors_with_their_actions_merged_per_box()
    {
        using var dir = new TemporaryDirectory();
        Directory.CreateDirectory(dir.Combine("videos"));
        MediaFixtures.IndexedClip(dir.Combine("videos", "vidA.mp4"), frames: 24); // 8 fps: second 1 is frame 8
        File.WriteAllText(dir.Combine("train.csv"),
            "vidA,0001,0.1,0.2,0.5,0.9,3,0\n" +
            "vidA,0001,0.1,0.2,0.5,0.9,7,0\n" +
            "vidA,0001,0.6,0.1,0.9,0.8,3,1\n" +
            "vidA,0002,0.1,0.2,0.5,0.9,3,0\n" +
            "vidA,0000,0.2,0.2,0.4,0.4,5,0\n");
        File.WriteAllText(dir.Combine("excluded.csv"), "vidA,0002\n");
        var options = new AvaOptions
        {
            Manifest = dir.Combine("train.csv"), Root = dir.Combine("videos"), Exclusions = dir.Combine("excluded.csv"), Mode = "train",
            FrameRate = 8, TimeOffset = 0, SamplingRate = 2, Decoder = "ffmpeg",
        };

        using var dataset = MediaFixtures.Create("ava", options, Frames, Side, dir.Path);

        dataset.Info.Count.Should().Be(2, "second 2 is excluded; seconds 1 and 0 remain, in the file's order");
        var sample = dataset.Read(0, 0);
        Enumerable.Range(0, Frames).Select(t => MediaFixtures.FrameIndexOf(sample.Pixels, Frames, Side, t))
            .Should().Equal([4, 6, 8, 10], "the key frame (8) sits at position T/2 with picks 2 frames apart around it");
        var actors = sample.Actors!;
        (actors.VideoId, actors.Timestamp).Should().Be(("vidA", 1));
        actors.Detections.Should().BeNull("training reads the annotated boxes");
        actors.GroundTruth.Should().HaveCount(2);
        actors.GroundTruth[0].Should().BeEquivalentTo(new ActorBox(0.1f, 0.2f, 0.5f, 0.9f, 1f, [3, 7]), "one person's two rows are one box with both actions");
        actors.GroundTruth[1].ActionIds.Should().Equal(3);

        var edge = dataset.Read(1, 0);
        Enumerable.Range(0, Frames).Select(t => MediaFixtures.FrameIndexOf(edge.Pixels, Frames, Side, t))
            .Should().Equal([0, 0, 0, 2], "picks before the first frame repeat it");
    }

    [Fact]
    public void Eval_mode_gives_the_detected_boxes_above_the_threshold_and_a_key_frame_past_the_end_is_unreadable()
    {
        using var dir = new TemporaryDirectory();
        Directory.CreateDirectory(dir.Combine("videos"));
        MediaFixtures.IndexedClip(dir.Combine("videos", "vidB.mp4"), frames: 16);
        File.WriteAllText(dir.Combine("val.csv"), "vidB,0901,0.1,0.2,0.5,0.9,3,0\nvidB,0905,0.1,0.2,0.5,0.9,3,0\n");
        File.WriteAllText(dir.Combine("boxes.csv"), "vidB,0901,0.1,0.2,0.5,0.9,,0.95\nvidB,0901,0.5,0.5,0.6,0.6,,0.3\nvidB,0901,0.1,0.2,0.5,0.9,,0.9\n");
        var options = new AvaOptions
        {
            Manifest = dir.Combine("val.csv"), Root = dir.Combine("videos"), Detections = dir.Combine("boxes.csv"),
            FrameRate = 8, SamplingRate = 1, Decoder = "ffmpeg",
        };

        using var dataset = MediaFixtures.Create("ava", options, Frames, Side, dir.Path);

        var actors = dataset.Read(0, 0).Actors!;
        actors.GroundTruth.Should().ContainSingle().Which.ActionIds.Should().Equal(3);
        actors.Detections.Should().ContainSingle("0.3 is below the 0.8 threshold, and a box listed twice is one box")
            .Which.Should().BeEquivalentTo(new ActorBox(0.1f, 0.2f, 0.5f, 0.9f, 0.95f, []));
        var read = () => dataset.Read(1, 0);
        read.Should().Throw<UnreadableMediaException>().WithMessage("*key frame outside the video*frame 40*16 frames*",
            "second 905 of a file starting at 900 is frame 40 at 8 fps");
    }

    [Fact]
    public void Data_synth_exports_each_clips_key_frame_box_and_motion_in_AVA_form_and_the_ava_plugin_reads_them()
    {
        using var dir = new TemporaryDirectory();
        var result = SyntheticMediaExport.Write(new SyntheticExportOptions(dir.Path, Clips: 5, Images: 0, Size: Side, Frames: 16, Fps: 8));

        var train = AvaCsv.ReadAnnotations(Path.Combine(result.AvaAnnotations!, SyntheticMediaExport.AvaTrain));
        var val = AvaCsv.ReadAnnotations(Path.Combine(result.AvaAnnotations!, SyntheticMediaExport.AvaVal));
        train.Select(r => r.KeyFrame.VideoId).Should().Equal("clip_000000", "clip_000001", "clip_000002", "clip_000003");
        val.Select(r => r.KeyFrame.VideoId).Should().Equal("clip_000004");
        AvaLabelMap.Read(Path.Combine(result.AvaAnnotations!, SyntheticMediaExport.AvaLabelMapFile)).Should().BeEquivalentTo(SyntheticVocabulary.MotionActions());
        using (var rendered = MediaFixtures.Create("synthetic", new SyntheticOptions { Clips = 5 }, 16, Side, dir.Path))
        {
            foreach (var row in train.Concat(val))
            {
                int clip = int.Parse(row.KeyFrame.VideoId["clip_".Length..], System.Globalization.CultureInfo.InvariantCulture);
                var sample = rendered.Read(clip, 0);
                row.KeyFrame.Timestamp.Should().Be(1, "16 frames at 8 fps: the middle frame 8 is second 1");
                row.ActionId.Should().Be(sample.Labels[SyntheticVocabulary.MotionLabel] + 1);
                new[] { row.X1, row.Y1, row.X2, row.Y2 }.Should().Equal(sample.Boxes!.Skip(4 * 8).Take(4).Select(v => (double)v),
                    (a, b) => Math.Abs(a - b) <= 0.0005, "the box is the main object's on frame 8, written with 3 decimals");
            }
        }

        var overlay = System.Text.Json.JsonDocument.Parse(File.ReadAllText(result.Overlays.Single(o => o.EndsWith("ava.json", StringComparison.Ordinal))))
            .RootElement.GetProperty("Umt").GetProperty("Dataset").GetProperty("Options").GetProperty("ava");
        var options = System.Text.Json.JsonSerializer.Deserialize<AvaOptions>(overlay.GetRawText())!;
        options.Decoder = "ffmpeg";
        using var dataset = MediaFixtures.Create("ava", options, 8, Side, dir.Path);
        dataset.Info.Count.Should().Be(4);
        var first = dataset.Read(0, 0).Actors!;
        first.GroundTruth.Should().ContainSingle().Which.ActionIds.Should().Equal(train[0].ActionId);
    }
}
