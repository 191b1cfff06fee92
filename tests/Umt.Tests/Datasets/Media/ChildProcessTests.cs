using System.Diagnostics;
using Serilog.Core;
using Umt.Plugins.Datasets.Kinetics;
using Umt.Plugins.Datasets.Media;
using Umt.Runner.Engine.Data;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Datasets.Media;

/// <summary>
/// Decoder child processes never outlive their read: a timeout, a cancellation or a pipeline shut
/// down mid-decode kills and reaps them, so a long run leaves no ffmpeg behind.
/// </summary>
public sealed class ChildProcessTests(ITestOutputHelper log)
{
    [Fact]
    public void A_child_past_its_timeout_is_stopped_and_reaped()
    {
        var clock = Stopwatch.StartNew();
        var run = () => ChildProcess.Run("sleep", ["30"], TimeSpan.FromMilliseconds(500), CancellationToken.None);

        run.Should().Throw<TimeoutException>();
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
        Children("sleep").Should().BeEmpty("the timed-out child was killed and reaped");
    }

    [Fact]
    public void Cancelling_stops_the_child_and_reaps_it()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        var run = () => ChildProcess.Run("sleep", ["30"], TimeSpan.FromSeconds(60), cancel.Token);

        run.Should().Throw<OperationCanceledException>();
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
        Children("sleep").Should().BeEmpty("the cancelled child was killed and reaped");
    }

    [Fact]
    public void A_token_cancelled_before_the_call_starts_no_child()
    {
        using var temp = new TemporaryDirectory();
        string marker = temp.Combine("started");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        var run = () => ChildProcess.Run("sh", ["-c", $"touch '{marker}'"], TimeSpan.FromSeconds(10), cancel.Token);

        run.Should().Throw<OperationCanceledException>();
        File.Exists(marker).Should().BeFalse("a read cancelled before it began (a pipeline disposed mid-epoch) must not spawn ffmpeg only to kill it");
    }

    [Fact]
    public void Stdout_bytes_and_the_exit_code_come_back_and_stdin_is_fed()
    {
        var output = ChildProcess.Run("sh", ["-c", "printf abc; exit 3"], TimeSpan.FromSeconds(10), CancellationToken.None);

        output.ExitCode.Should().Be(3);
        output.Stdout.Should().Equal("abc"u8.ToArray());

        // More than a pipe buffer both ways, so feeding and reading must run side by side.
        var input = new byte[1 << 20];
        new Random(5).NextBytes(input);
        var echoed = ChildProcess.Run("cat", [], TimeSpan.FromSeconds(10), CancellationToken.None, stdin: input);

        echoed.ExitCode.Should().Be(0);
        echoed.Stdout.Should().Equal(input);
    }

    [Fact]
    public void Disposing_a_pipeline_mid_decode_leaves_no_ffmpeg_behind()
    {
        MediaFixtures.RequireFfmpeg();
        using var temp = new TemporaryDirectory();
        // One 10 s clip at 25 fps (each decode takes a while), copied: six real clips for the cost of one encode.
        MediaFixtures.TestSource(temp.Combine("clip0.mp4"), 320, 240, frames: 250);
        for (int i = 1; i < 6; i++)
        {
            File.Copy(temp.Combine("clip0.mp4"), temp.Combine($"clip{i}.mp4"));
        }
        File.WriteAllLines(temp.Combine("list.csv"), Enumerable.Range(0, 6).Select(i => $"clip{i}.mp4,{i % 2}"));
        using var dataset = MediaFixtures.Create("kinetics", new KineticsOptions { Manifest = temp.Combine("list.csv"), Root = temp.Path }, frames: 8, imageSize: 64, temp.Path);

        var pipeline = new BatchPipeline(dataset, seed: 3, batchSize: 2, start: default, workers: 2, new SampleFailures(Logger.None, 6, 0.5));
        HostBatch first;
        int inFlight = 0;
        var clock = new Stopwatch();
        try
        {
            first = pipeline.Next();
            inFlight = Children("ffmpeg", "ffprobe").Count;
        }
        finally
        {
            clock.Start();
            pipeline.Dispose();
            clock.Stop();
        }
        log.WriteLine($"{inFlight} decoder(s) running at Dispose, which took {clock.ElapsedMilliseconds} ms");

        first.Indices.Should().HaveCount(2);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "disposing kills decodes in flight instead of waiting for them");
        Children("ffmpeg", "ffprobe").Should().BeEmpty("every decoder child was killed and reaped");
    }

    /// <summary>Child processes of this test process with one of <paramref name="names"/>, as "pid name state" (zombies included).</summary>
    private static List<string> Children(params string[] names)
    {
        var found = new List<string>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;   // not a process, or it ended while we looked
            }
            // pid (comm) state ppid …: comm may hold spaces or parentheses, so split at the last ')'.
            int open = stat.IndexOf('('), close = stat.LastIndexOf(')');
            if (open < 0 || close < open)
            {
                continue;
            }
            string name = stat[(open + 1)..close];
            string[] rest = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (rest.Length > 1 && int.TryParse(rest[1], out int parent) && parent == Environment.ProcessId && names.Contains(name))
            {
                found.Add($"{stat[..open].Trim()} {name} {rest[0]}");
            }
        }
        return found;
    }
}
