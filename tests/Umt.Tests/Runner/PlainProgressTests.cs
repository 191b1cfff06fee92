using System.Diagnostics;
using Umt.Runner.Engine.Progress;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>The plain progress lines a log or CI job sees: few, counted, and the last one always there.</summary>
public sealed class PlainProgressTests(ITestOutputHelper log)
{
    private static string[] Lines(StringWriter writer) => writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void A_fast_loop_writes_its_first_and_last_count_only()
    {
        var clock = Stopwatch.StartNew();
        var writer = new StringWriter();
        using (var progress = new ProgressRenderer(writer).Start("extract", 1000, "clips"))
        {
            for (int done = 1; done <= 1000; done++)
            {
                progress.Report(done, $"{done / 100} unreadable");
            }
        }
        string[] lines = Lines(writer);
        log.WriteLine($"[{clock.Elapsed.TotalSeconds:F3} s]\n{writer}");
        lines.Should().HaveCount(2, $"within {PlainProgress.Interval.TotalSeconds} s only the first and the last report are written");
        lines[0].Should().StartWith("extract: 1/1000 clips (0%), ").And.EndWith(", 0 unreadable");
        lines[1].Should().StartWith("extract: 1000/1000 clips (100%), ").And.Contain("clips/s, ETA 0:00").And.EndWith(", 10 unreadable");
    }

    [Fact]
    public void A_loop_stopped_early_still_leaves_a_line_with_how_far_it_got()
    {
        var writer = new StringWriter();
        using (var progress = new ProgressRenderer(writer).Start("train", 50, "steps"))
        {
            progress.Report(1);
            progress.Report(7, "loss 0.5000");
        }
        Lines(writer).Should().Equal(Lines(writer)[0], Lines(writer)[1]);
        Lines(writer)[0].Should().StartWith("train: 1/50 steps (2%), ");
        Lines(writer)[1].Should().StartWith("train: 7/50 steps (14%), ").And.EndWith(", loss 0.5000");
    }

    [Fact]
    public void Parallel_reports_out_of_order_never_move_the_count_back()
    {
        var writer = new StringWriter();
        using (var progress = new ProgressRenderer(writer).Start("data synth", 400, "files"))
        {
            Parallel.For(1, 401, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => progress.Report(i));
        }
        string[] lines = Lines(writer);
        lines[^1].Should().StartWith("data synth: 400/400 files (100%)");
        lines.Should().HaveCountLessThanOrEqualTo(2, "one first line and one final line");
    }

    [Fact]
    public void A_captured_writer_is_never_a_live_terminal_and_rates_and_etas_are_counted_from_the_first_report()
    {
        new ProgressRenderer(new StringWriter()).Live.Should().BeFalse("only the real stderr on a terminal gets the live bar");
        ProgressRenderer.Silent.Live.Should().BeFalse();
        var rate = new ProgressRate(100);
        rate.Remaining(0).Should().BeNull("no rate is known before a report");
        rate.Observe(10);
        Thread.Sleep(50);
        rate.Observe(20);
        // 10 units since the first report in ≥ 50 ms: at most 200 units/s, so 80 left take at least 0.4 s.
        rate.PerSecond.Should().BeInRange(1, 200);
        rate.Remaining(20)!.Value.TotalSeconds.Should().BeApproximately(80 / rate.PerSecond, 0.5);
        ProgressRate.Clock(TimeSpan.FromSeconds(3725)).Should().Be("1:02:05");
        ProgressRate.Clock(TimeSpan.FromSeconds(65)).Should().Be("1:05");
        ProgressRate.Clock(null).Should().Be("?");
    }
}
