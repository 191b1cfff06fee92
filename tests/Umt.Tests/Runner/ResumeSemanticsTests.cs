using System.Diagnostics;
using System.Text.Json;
using Umt.Runner.Engine.Checkpoints;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>
/// <c>--resume</c> as a cluster scheduler uses it: <c>--resume PATH</c> continues from a given (older)
/// checkpoint, one command line starts a run and continues it after a stop, and a resume that
/// changes the model, or names no checkpoint, is refused saying so.
/// </summary>
public sealed class ResumeSemanticsTests(ITestOutputHelper log)
{
    [Fact]
    public void Resume_path_continues_from_an_older_checkpoint_on_the_same_trajectory_and_keeps_the_newer_one()
    {
        var clock = Stopwatch.StartNew();
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        TestSupport.Umt.Run(log, ResumeSafetyTests.Tiny(run, 2)).ExitCode.Should().Be(0);
        var first = Losses(Path.Combine(run, "checkpoint-2"));

        var resumed = TestSupport.Umt.Run(log, [.. ResumeSafetyTests.Tiny(run, 2), "--resume", Path.Combine(run, "checkpoint-1")]);

        resumed.ExitCode.Should().Be(0, resumed.All);
        resumed.Output.Should().Contain("steps 1 → 2 of 2");
        Directory.GetDirectories(run, "checkpoint-2.set-aside-*").Should().ContainSingle("the abandoned continuation is kept, not overwritten");
        File.ReadAllText(Path.Combine(run, CheckpointStore.LatestFile)).Trim().Should().Be("checkpoint-2");
        var second = Losses(Path.Combine(run, "checkpoint-2"));
        second.Should().HaveCount(2);
        second[0].Should().Be(first[0], "step 1 is the checkpoint's own record");
        // Every draw is keyed by (seed, step, sample), so step 2 is trained again as it was the first time.
        second[1].Should().BeApproximately(first[1], 1e-5 * Math.Abs(first[1]));
        log.WriteLine($"test took {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void The_same_resume_line_starts_a_new_run_refuses_a_changed_preset_and_later_continues_the_run()
    {
        var clock = Stopwatch.StartNew();
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        string[] line = [.. ResumeSafetyTests.Tiny(run, 2), "--resume", "--stop-after", "1"];

        var started = TestSupport.Umt.Run(log, line);

        started.ExitCode.Should().Be(0, started.All);
        started.Output.Should().Contain("steps 0 → 1 of 2");
        File.ReadAllLines(Path.Combine(run, "log.jsonl")).Should().Contain(l => l.Contains("holds no checkpoint yet", StringComparison.Ordinal), "the log says the run starts");

        var changed = TestSupport.Umt.Run(log, [.. ResumeSafetyTests.Tiny(run, 2, "--set", "Umt:Model:Preset=small"), "--resume"]);

        changed.ExitCode.Should().Be(2);
        changed.Error.Should().Contain("changes the model").And.Contain("Umt:Model:Preset: checkpoint has 'tiny', configuration has 'small'");

        var missing = TestSupport.Umt.Run(log, [.. ResumeSafetyTests.Tiny(run, 2), "--resume", Path.Combine(run, "checkpoint-9")]);

        missing.ExitCode.Should().Be(2);
        missing.Error.Should().Contain("--resume").And.Contain("checkpoint-9").And.Contain("it does not exist");

        var continued = TestSupport.Umt.Run(log, line);

        continued.ExitCode.Should().Be(0, continued.All);
        continued.Output.Should().Contain("steps 1 → 2 of 2");
        log.WriteLine($"test took {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static List<double> Losses(string checkpoint) =>
        JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(checkpoint, CheckpointStore.StateFile)))!.Losses;
}
