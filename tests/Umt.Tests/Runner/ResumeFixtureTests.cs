using System.Text.Json;
using Umt.Runner.Engine.Checkpoints;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>
/// A checkpoint written before the video and image streams became one stream type (issue 18 item 2)
/// resumes after it: tests/fixtures/stage2-resume (its RECIPE.md says how it was made and what the
/// old trainer did next) continues to the same cursors and the same losses.
/// </summary>
public sealed class ResumeFixtureTests(ITestOutputHelper log)
{
    private static readonly string Fixture = Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "stage2-resume");

    /// <summary>Losses of steps 4–6 that the trainer before the change wrote when resuming the fixture (RECIPE.md).</summary>
    private static readonly double[] OldContinuation = [1.8986151218414307, 2.034501075744629, 1.9950296878814697];

    [Fact]
    public void A_two_stream_checkpoint_from_before_the_stream_change_resumes_both_cursors_and_continues_as_before()
    {
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        CopyFolder(Path.Combine(Fixture, "run"), run);
        var saved = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(run, "checkpoint-3", CheckpointStore.StateFile)))!;

        // The old trainer's teacher computed in fp32, the default then; the same numbers need it again.
        var result = TestSupport.Umt.Run(log, "train", "--resume", "--config", Path.Combine(Fixture, "recipe.json"), "--set", $"Umt:Run:OutputDir={run}",
            "--set", "Umt:Teacher:Options:tiny-clip:Precision=fp32");

        result.ExitCode.Should().Be(0, result.All);
        result.Output.Should().Contain("steps 3 → 6 of 6");
        File.ReadAllText(Path.Combine(run, "log.jsonl")).Should().Contain("\"Visible\":48,\"Tokens\":64,",
            "step 4 reads the image stream, masked by its own `random` 0.25, not the videos' `semantic` 0.5");
        string written = File.ReadAllText(Path.Combine(run, "checkpoint-6", CheckpointStore.StateFile));
        using (var json = JsonDocument.Parse(written))
        {
            foreach (string field in (string[])["Step", "Epoch", "Offset", "ImageEpoch", "ImageOffset", "FailedSamples", "ImageFailedSamples"])
            {
                json.RootElement.TryGetProperty(field, out _).Should().BeTrue($"state.json keeps its field {field}");
            }
        }
        var state = JsonSerializer.Deserialize<TrainingState>(written)!;
        (saved.Epoch, saved.Offset, saved.ImageEpoch, saved.ImageOffset).Should().Be((0L, 2L, 0L, 4L), "the fixture read one video and two image batches");
        (state.Step, state.Epoch, state.Offset, state.ImageEpoch, state.ImageOffset).Should().Be((6L, 0L, 4L, 0L, 8L),
            "steps 4–6 read two image batches and one video batch, each stream continuing from its own cursor");
        state.Losses.Take(3).Should().Equal(saved.Losses);
        state.Losses.Skip(3).Should().Equal(OldContinuation, (actual, expected) => Math.Abs(actual - expected) <= 1e-5,
            "the same batches, masks and updates as the trainer before the change");
    }

    /// <summary>
    /// Runs started when the teacher's default precision was fp32 resume under today's default
    /// (<c>auto</c>): precision is not part of what a run trains on (TrajectoryIdentity).
    /// </summary>
    [Fact]
    public void A_checkpoint_written_with_the_fp32_teacher_default_resumes_under_the_auto_default()
    {
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        CopyFolder(Path.Combine(Fixture, "run"), run);

        var result = TestSupport.Umt.Run(log, "train", "--resume", "--stop-after", "4", "--config", Path.Combine(Fixture, "recipe.json"), "--set", $"Umt:Run:OutputDir={run}");

        result.ExitCode.Should().Be(0, result.All);
        result.Output.Should().Contain("steps 3 → 4 of 6");
    }

    /// <summary>
    /// The step masks a batch as its stream says, not by its frame count: with a one-frame video
    /// student the old test (T ≠ Frames means images) masked image batches with the videos' masking.
    /// Step 2 of the fixture's recipe reads images; a sitting resumed at step 1 logs its shapes.
    /// </summary>
    [Fact]
    public void An_image_batch_of_a_one_frame_video_run_is_masked_by_the_image_stream()
    {
        using var temp = new TemporaryDirectory();
        string[] train = ["train", "--config", Path.Combine(Fixture, "recipe.json"), "--set", "Umt:Model:Frames=1", "--set", $"Umt:Run:OutputDir={temp.Combine("run")}"];
        TestSupport.Umt.Run(log, [.. train, "--stop-after", "1"]).ExitCode.Should().Be(0);

        var resumed = TestSupport.Umt.Run(log, [.. train, "--resume", "--stop-after", "2"]);

        resumed.ExitCode.Should().Be(0, resumed.All);
        File.ReadAllText(temp.Combine("run", "log.jsonl")).Should().Contain("\"Visible\":48,\"Tokens\":64,",
            "step 2 reads an image batch: `random` 0.25 keeps 48 of 64 tokens, the videos' `semantic` 0.5 would keep 32");
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
