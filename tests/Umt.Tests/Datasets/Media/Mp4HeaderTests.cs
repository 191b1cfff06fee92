using Umt.Plugins.Datasets.Media;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Datasets.Media;

/// <summary>The managed MP4 header read agrees with ffprobe wherever it answers, and steps aside elsewhere.</summary>
public sealed class Mp4HeaderTests(ITestOutputHelper log)
{
    [Fact]
    public void Frame_count_and_size_from_the_moov_box_equal_ffprobes()
    {
        using var temp = new TemporaryDirectory();
        var reader = new FfmpegVideoReader(TimeSpan.FromSeconds(30));
        string[] files =
        [
            MediaFixtures.TestSource(temp.Combine("landscape.mp4"), 64, 48, 37),
            MediaFixtures.TestSource(temp.Combine("portrait.mp4"), 32, 64, 20),
            MediaFixtures.TestSource(temp.Combine("fragment-free.mov"), 48, 48, 9, encoder: ["-c:v", "mpeg4"]),
            MediaFixtures.TestSource(temp.Combine("moov-at-end.mp4"), 64, 32, 25, encoder: ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "-faststart"]),
        ];
        foreach (string file in files)
        {
            var header = Mp4Header.TryRead(file);
            var probed = reader.ProbeWithFfprobe(file, CancellationToken.None);
            log.WriteLine($"{Path.GetFileName(file)}: header {header}, ffprobe {probed}");
            header.Should().NotBeNull();
            (header!.Width, header.Height, header.FrameCount).Should().Be((probed.Width, probed.Height, probed.FrameCount));
        }
    }

    [Fact]
    public void Other_containers_and_broken_files_are_left_to_ffprobe()
    {
        using var temp = new TemporaryDirectory();
        string good = MediaFixtures.TestSource(temp.Combine("good.mp4"), 64, 48, 30, encoder: ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "-faststart"]);
        byte[] bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(temp.Combine("cut.mp4"), bytes[..(bytes.Length / 2)]); // moov was at the end: gone
        File.WriteAllText(temp.Combine("text.mp4"), "just some text, not a box tree");
        string webm = MediaFixtures.TestSource(temp.Combine("clip.webm"), 64, 48, 10, encoder: ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"]);
        MediaFixtures.Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", temp.Combine("audio.mp4"));

        foreach (string file in new[] { temp.Combine("cut.mp4"), temp.Combine("text.mp4"), webm, temp.Combine("audio.mp4") })
        {
            Mp4Header.TryRead(file).Should().BeNull($"{Path.GetFileName(file)} has no readable video track in a moov box");
        }
    }
}
