using Umt.Plugins.Datasets.Augmentation;
using Umt.Plugins.Datasets.Kinetics;
using Umt.Plugins.Datasets.Media;
using Umt.Plugins.Datasets.Randomness;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Plugins.Datasets.WebVid;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.Data;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Datasets.Media;

/// <summary>The ffmpeg path end to end: real files in, the frames the reference's sampling asks for out.</summary>
public sealed class VideoDecodingTests(ITestOutputHelper log)
{
    [Fact]
    public void Synthesized_clips_decode_to_the_frames_that_were_encoded_in_count_shape_and_order()
    {
        using var temp = new TemporaryDirectory();
        var export = SyntheticMediaExport.Write(new SyntheticExportOptions(temp.Path, Clips: 3, Images: 0, Size: 64, Frames: 16));
        using var decoded = MediaFixtures.Create("kinetics", new KineticsOptions { Manifest = export.KineticsList!, Root = temp.Path, Mode = "eval" }, frames: 8, imageSize: 64, temp.Path);
        using var source = SyntheticDatasetHarness.Create(new SyntheticOptions { Clips = 3 }, frames: 16, imageSize: 64);

        decoded.Info.Count.Should().Be(3);
        for (int clip = 0; clip < 3; clip++)
        {
            var sample = decoded.Read(clip, augmentationKey: 99);
            var original = source.Read(clip, 0);
            sample.Pixels.Should().HaveCount(3 * 8 * 64 * 64);
            sample.Labels["action"].Should().Be(original.Labels[SyntheticVocabulary.MotionLabel], "the list's label is the clip's motion class");
            for (int t = 0; t < 8; t++)
            {
                // eval sampling of 16 frames into 8 segments takes the middle of [2t, 2t+1]: frame 2t
                double same = MeanAbsDifference(sample.Pixels, 8, t, original.Pixels, 16, 2 * t);
                same.Should().BeLessThan(0.03, $"clip {clip} frame {t} is source frame {2 * t} up to H.264 error");
                for (int other = 0; other < 16; other += 3)
                {
                    if (other != 2 * t && MeanAbsDifference(original.Pixels, 16, other, original.Pixels, 16, 2 * t) > 0.01)
                    {
                        MeanAbsDifference(sample.Pixels, 8, t, original.Pixels, 16, other).Should().BeGreaterThan(same, "frames come out in the sampled order");
                    }
                }
            }
        }
    }

    [Fact]
    public void Training_sampling_reads_back_the_segment_indices_the_reference_rules_draw()
    {
        using var temp = new TemporaryDirectory();
        MediaFixtures.IndexedClip(temp.Combine("indexed.mp4"), frames: 32);
        File.WriteAllText(temp.Combine("list.csv"), "indexed.mp4,0\n");
        File.WriteAllText(temp.Combine("list.json"), """[{"video": "indexed.mp4", "caption": "grey"}]""");
        using var tsn = MediaFixtures.Create("kinetics", new KineticsOptions { Manifest = temp.Combine("list.csv"), Root = temp.Path, Flip = false }, 8, 32, temp.Path);
        using var rand = MediaFixtures.Create("webvid", new WebVidOptions { Manifest = temp.Combine("list.json"), Root = temp.Path, Flip = false }, 8, 32, temp.Path);
        using var middle = MediaFixtures.Create("kinetics", new KineticsOptions { Manifest = temp.Combine("list.csv"), Root = temp.Path, Mode = "eval" }, 8, 32, temp.Path);

        int[] Decoded(Umt.Abstractions.Datasets.IVideoDataset dataset, ulong key)
        {
            var pixels = dataset.Read(0, key).Pixels;
            return [.. Enumerable.Range(0, 8).Select(t => MediaFixtures.FrameIndexOf(pixels, 8, 32, t))];
        }
        int[] Expected(FrameSamplingMode mode, ulong key)
        {
            var random = new SplitMix64(key);
            return FrameSampling.Indices(mode, 32, 8, ref random);
        }

        var seen = new HashSet<string>();
        foreach (ulong key in new ulong[] { 1, 2, 3, 1000, 123456789 })
        {
            int[] segments = Decoded(tsn, key);
            log.WriteLine($"key {key}: tsn {string.Join(",", segments)}");
            segments.Should().Equal(Expected(FrameSamplingMode.Tsn, key), "the decoder returns exactly the frames the sampler drew");
            segments.Select((frame, t) => frame / 4 == t).Should().OnlyContain(inside => inside, "32 frames in 8 segments: one frame from each [4t, 4t+3]");
            Decoded(rand, key).Should().Equal(Expected(FrameSamplingMode.Rand, key));
            seen.Add(string.Join(",", segments));
        }
        seen.Should().HaveCountGreaterThan(1, "different keys draw different frames");
        Decoded(middle, 5).Should().Equal([1, 5, 9, 13, 17, 21, 25, 29], "eval takes the reference's middle of each segment: (4t + (4t+4) − 1) // 2");

        // Test view 1 of 2 (kinetics_sparse._get_seq_frames, clip_idx 1): segment 31/8 = 3.875, offset int(3.875/3 · 2) = 2,
        // starts np.round(3.875 i) = 0, 4, 8, 12, 16 (15.5 to even), 19, 23, 27.
        using var secondView = MediaFixtures.Create("kinetics",
            new KineticsOptions { Manifest = temp.Combine("list.csv"), Root = temp.Path, Mode = "eval", TestClips = 2, TestClip = 1 }, 8, 32, temp.Path);
        Decoded(secondView, 5).Should().Equal([2, 6, 10, 14, 18, 21, 25, 29]);
    }

    [Fact]
    public void Dense_sampling_reads_back_VideoMAE_windows_through_ffmpeg()
    {
        using var temp = new TemporaryDirectory();
        MediaFixtures.IndexedClip(temp.Combine("long.mp4"), frames: 31);
        MediaFixtures.IndexedClip(temp.Combine("short.mp4"), frames: 26);
        File.WriteAllText(temp.Combine("long.csv"), "long.mp4,0\n");
        File.WriteAllText(temp.Combine("short.csv"), "short.mp4,0\n");
        KineticsOptions Dense(string list, int rate, string mode = "train") =>
            new() { Manifest = temp.Combine(list), Root = temp.Path, Flip = false, Sampling = "dense", SamplingRate = rate, Mode = mode };
        int[] Decoded(Umt.Abstractions.Datasets.IVideoDataset dataset, ulong key)
        {
            var pixels = dataset.Read(0, key).Pixels;
            return [.. Enumerable.Range(0, 8).Select(t => MediaFixtures.FrameIndexOf(pixels, 8, 32, t))];
        }

        // 8 frames 3 apart of 31: a window of 24, so randint(31 − 24 + 1) draws the start among 0..7.
        using var window = MediaFixtures.Create("kinetics", Dense("long.csv", 3), 8, 32, temp.Path);
        var starts = new HashSet<int>();
        foreach (ulong key in new ulong[] { 1, 2, 3, 1000, 123456789 })
        {
            int[] frames = Decoded(window, key);
            log.WriteLine($"key {key}: dense {string.Join(",", frames)}");
            var random = new SplitMix64(key);
            frames.Should().Equal(FrameSampling.Indices(FrameSamplingMode.Dense, 31, 8, ref random, step: 3), "the decoder returns exactly the frames the sampler drew");
            frames.Should().Equal(Enumerable.Range(0, 8).Select(i => frames[0] + 3 * i)).And.OnlyContain(frame => frame <= 28);
            starts.Add(frames[0]);
        }
        starts.Should().HaveCountGreaterThan(1, "different keys draw different starts");

        // 8 frames 4 apart of 26: the window of 32 does not fit, so frame 0 and the last frame reached repeats.
        using var shortVideo = MediaFixtures.Create("kinetics", Dense("short.csv", 4), 8, 32, temp.Path);
        Decoded(shortVideo, 5).Should().Equal([0, 4, 8, 12, 16, 20, 24, 24]);

        // Evaluation ignores the training sampler: extract and eval read a dense-trained run's config.
        using var denseEval = MediaFixtures.Create("kinetics", Dense("long.csv", 3, mode: "eval"), 8, 32, temp.Path);
        using var segmentsEval = MediaFixtures.Create("kinetics", new KineticsOptions { Manifest = temp.Combine("long.csv"), Root = temp.Path, Mode = "eval" }, 8, 32, temp.Path);
        Decoded(denseEval, 5).Should().Equal(Decoded(segmentsEval, 5));
    }

    [Fact]
    public void The_real_CC0_street_video_decodes_into_the_expected_shape()
    {
        MediaFixtures.RequireFfmpeg();
        string city = MediaFixtures.CityClip;
        var info = new FfmpegVideoReader(TimeSpan.FromSeconds(60)).Probe(city, CancellationToken.None);
        log.WriteLine($"cityCC0.mpg: {info}");
        (info.Width, info.Height).Should().Be((720, 405));
        info.FrameCount.Should().BeInRange(180, 200, "7.6 s at 25 fps");

        using var temp = new TemporaryDirectory();
        File.WriteAllText(temp.Combine("list.txt"), "cityCC0.mpg 3\n");
        using var dataset = MediaFixtures.Create("kinetics", new KineticsOptions { Manifest = temp.Combine("list.txt"), Root = Path.GetDirectoryName(city)!, Separator = " " }, 8, 112, temp.Path);
        var sample = dataset.Read(0, augmentationKey: 11);

        sample.Pixels.Should().HaveCount(3 * 8 * 112 * 112);
        sample.Pixels.Should().OnlyContain(v => float.IsFinite(v) && v > -2.2f && v < 2.7f, "ImageNet-normalised bytes");
        sample.Labels["action"].Should().Be(3);
        MeanAbsDifference(sample.Pixels, 8, 0, sample.Pixels, 8, 7).Should().BeGreaterThan(0.01, "the first and last sampled frames of street footage differ");
    }

    [Fact]
    public void Odd_but_valid_videos_are_read_not_skipped()
    {
        using var temp = new TemporaryDirectory();
        MediaFixtures.TestSource(temp.Combine("portrait.mp4"), 48, 96, 12);
        MediaFixtures.TestSource(temp.Combine("grey.mp4"), 64, 48, 12, encoder: ["-c:v", "libx264", "-pix_fmt", "gray"]);
        MediaFixtures.TestSource(temp.Combine("vp9.webm"), 64, 48, 12, encoder: ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k"]);
        MediaFixtures.TestSource(temp.Combine("mpeg4.avi"), 64, 48, 12, encoder: ["-c:v", "mpeg4", "-q:v", "5"]);
        MediaFixtures.TestSource(temp.Combine("a clip, with spaces.mp4"), 64, 48, 12);
        File.WriteAllText(temp.Combine("list.csv"), "portrait.mp4,0\ngrey.mp4,1\nvp9.webm,2\nmpeg4.avi,3\n\"a clip, with spaces.mp4\",4\n");

        using var dataset = MediaFixtures.Create("kinetics", new KineticsOptions { Manifest = temp.Combine("list.csv"), Root = temp.Path }, 8, 32, temp.Path);
        var report = DatasetVerifier.Verify(dataset, workers: 2, ProgressRenderer.Silent, CancellationToken.None);

        report.Failures.Should().BeEmpty();
        dataset.Info.Count.Should().Be(5);
        for (int i = 0; i < 5; i++)
        {
            var sample = dataset.Read(i, (ulong)i);
            sample.Pixels.Should().HaveCount(3 * 8 * 32 * 32);
            sample.Labels["action"].Should().Be(i);
        }
        var grey = dataset.Read(1, 0).Pixels;
        MediaFixtures.Value(grey, 8, 32, 0, 3, 16, 16).Should().BeApproximately(MediaFixtures.Value(grey, 8, 32, 1, 3, 16, 16), 0.02f, "a grey video decodes to equal channels");
    }

    /// <summary>Mean |a − b| over frame ta of a and frame tb of b, in [0, 1] pixel units.</summary>
    private static double MeanAbsDifference(float[] a, int framesA, int ta, float[] b, int framesB, int tb)
    {
        int side = (int)Math.Sqrt(a.Length / 3 / framesA);
        double sum = 0;
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < side; y++)
            {
                for (int x = 0; x < side; x++)
                {
                    sum += Math.Abs(MediaFixtures.Value(a, framesA, side, c, ta, y, x) - MediaFixtures.Value(b, framesB, side, c, tb, y, x));
                }
            }
        }
        return sum / (3.0 * side * side);
    }
}
