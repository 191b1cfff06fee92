using System.Diagnostics;
using Serilog.Core;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Augmentation;
using Umt.Plugins.Datasets.Media;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Datasets.Media;

/// <summary>
/// The long-lived decode workers (issue 17 item 5) against the ffmpeg CLI they replace: the same
/// frames on the same indices, and the CLI path's isolation kept (a hanging input costs a kill and
/// a restart, a dead worker costs its clip only, both counted).
/// </summary>
public sealed class DecodeWorkerTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(60);

    public static TheoryData<string, int[], bool> Clips => new()
    {
        // B-frames (x264's defaults): the skipping fast path, frames from all over the clip, one repeated.
        { "h264", [0, 9, 23, 23, 40, 57, 71, 88], false },
        // Short GOPs and a late window: decoding starts at the keyframe before frame 61.
        { "h264-gop12", [61, 63, 65, 67, 69, 71, 73, 75], true },
        // MPEG-2 in MPEG-PS (the CC0 street video): bicubic, as stage 2 resizes.
        { "city", [3, 30, 60, 90, 120, 150, 170, 179], true },
    };

    [Theory]
    [MemberData(nameof(Clips))]
    public void Worker_frames_equal_the_ffmpeg_CLI_on_the_same_indices(string clip, int[] frames, bool bicubic)
    {
        using var temp = new TemporaryDirectory();
        string path = clip switch
        {
            "h264" => MediaFixtures.TestSource(temp.Combine("clip.mp4"), 320, 240, 100),
            "h264-gop12" => MediaFixtures.TestSource(temp.Combine("clip.mp4"), 320, 240, 100, 25, "-c:v", "libx264", "-g", "12", "-pix_fmt", "yuv420p"),
            _ => MediaFixtures.CityClip,
        };
        var cli = new FfmpegVideoReader(Minute);
        using var workers = new WorkerVideoReader(Minute, Logger.None);
        var info = cli.Probe(path, CancellationToken.None);
        // Odd offsets and a non-square crop: the chroma planes move by the subsampled offset, as crop=exact=1 does.
        var crop = new CropBox(X: 37, Y: 13, Width: info.Width - 61, Height: info.Height - 40);
        var resampling = bicubic ? Resampling.Bicubic : Resampling.Bilinear;

        byte[] expected = cli.Read(path, info, frames, crop, 112, resampling, CancellationToken.None);
        byte[] actual = workers.Read(path, info, frames, crop, 112, resampling, CancellationToken.None);

        workers.Pool.Unavailable.Should().BeNull("Debian's FFmpeg 5.1 libraries come with the ffmpeg package");
        actual.Should().HaveCount(expected.Length);
        int frameBytes = 112 * 112 * 3;
        for (int t = 0; t < frames.Length; t++)
        {
            double mae = MeanAbs(expected.AsSpan(t * frameBytes, frameBytes), actual.AsSpan(t * frameBytes, frameBytes));
            log.WriteLine($"{clip} frame {frames[t]}: MAE {mae:F5}");
            mae.Should().BeLessThanOrEqualTo(0.01, $"frame {frames[t]} of {clip} is the CLI's frame {frames[t]}");
        }
        // The bound means something: neighbouring frames of these clips differ by more than it.
        MeanAbs(expected.AsSpan(0, frameBytes), actual.AsSpan(frameBytes, frameBytes)).Should().BeGreaterThan(0.01);
        workers.Pool.Restarts.Should().Be(0);
    }

    [Fact]
    public void A_hanging_input_times_out_its_worker_which_is_restarted_and_counted()
    {
        using var temp = new TemporaryDirectory();
        string good = MediaFixtures.TestSource(temp.Combine("good.mp4"), 64, 48, 10);
        string fifo = Fifo(temp.Combine("never-ends.mp4"));
        using var workers = new WorkerVideoReader(TimeSpan.FromSeconds(2), Logger.None);
        var info = workers.Probe(good, CancellationToken.None);

        var clock = Stopwatch.StartNew();
        var hang = () => workers.Read(fifo, info, [0, 1], new CropBox(0, 0, 64, 48), 32, Resampling.Bilinear, CancellationToken.None);
        hang.Should().Throw<UnreadableMediaException>().Which.Reason.Should().Be(DecodeWorkerPool.TimedOut);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the stuck worker is killed at the limit");
        workers.Pool.Restarts.Should().Be(1);

        workers.Read(good, info, [0, 5, 9], new CropBox(0, 0, 64, 48), 32, Resampling.Bilinear, CancellationToken.None)
            .Should().HaveCount(3 * 32 * 32 * 3, "the next clip gets a fresh worker");
    }

    [Fact]
    public void A_killed_worker_fails_only_its_clip_and_is_restarted_and_counted()
    {
        using var temp = new TemporaryDirectory();
        string good = MediaFixtures.TestSource(temp.Combine("good.mp4"), 64, 48, 10);
        string fifo = Fifo(temp.Combine("never-ends.mp4"));
        using var workers = new WorkerVideoReader(Minute, Logger.None);
        var info = workers.Probe(good, CancellationToken.None);
        workers.Read(good, info, [1], new CropBox(0, 0, 64, 48), 32, Resampling.Bilinear, CancellationToken.None);

        var stuck = Task.Run(() => workers.Read(fifo, info, [0], new CropBox(0, 0, 64, 48), 32, Resampling.Bilinear, CancellationToken.None));
        var clock = Stopwatch.StartNew();
        while (workers.Pool.Busy.Count == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(10);
        }
        // SIGKILL from outside, standing for a decoder that crashes the worker mid-clip.
        Process.GetProcessById(workers.Pool.Busy.Single()).Kill();

        var crash = () => stuck.GetAwaiter().GetResult();
        var error = crash.Should().Throw<UnreadableMediaException>().Which;
        log.WriteLine($"{error.Reason}: {error.Detail}");
        error.Reason.Should().Be(DecodeWorkerPool.Crashed);
        error.Detail.Should().Contain("signal 9");
        workers.Pool.Restarts.Should().Be(1);
        workers.Read(good, info, [2, 3], new CropBox(0, 0, 64, 48), 32, Resampling.Bilinear, CancellationToken.None)
            .Should().HaveCount(2 * 32 * 32 * 3, "the next clip gets a fresh worker");
    }

    [Fact]
    public void A_read_cancelled_before_it_starts_starts_no_worker()
    {
        using var temp = new TemporaryDirectory();
        string good = MediaFixtures.TestSource(temp.Combine("good.mp4"), 64, 48, 10);
        using var workers = new WorkerVideoReader(Minute, Logger.None);
        var info = workers.Probe(good, CancellationToken.None);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var read = () => workers.Read(good, info, [0], new CropBox(0, 0, 64, 48), 32, Resampling.Bilinear, cancelled.Token);

        read.Should().Throw<OperationCanceledException>();
        workers.Pool.Restarts.Should().Be(0, "no worker was started to be killed at once (a pipeline's disposal used to do that per queued clip)");
    }

    private static string Fifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        mkfifo.ExitCode.Should().Be(0);
        return path;
    }

    private static double MeanAbs(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        long sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += Math.Abs(a[i] - b[i]);
        }
        return sum / (255.0 * a.Length);
    }
}
