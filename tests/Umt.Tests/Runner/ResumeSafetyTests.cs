using System.Text.Json.Nodes;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Training;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary><c>--resume</c> against a damaged run folder or a changed configuration: it says what it passed over and why, keeps every file, and refuses a different run.</summary>
public sealed class ResumeSafetyTests(ITestOutputHelper log)
{
    /// <summary>A one-layer VideoMAE run of <paramref name="steps"/> steps into <paramref name="run"/>, checkpointing every step (shared with <see cref="ResumeSemanticsTests"/>).</summary>
    internal static string[] Tiny(string run, int steps, params string[] extra) =>
    [
        "train", "--config", "configs/videomae.json",
        "--set", $"Umt:Run:Steps={steps}", "--set", "Umt:Run:BatchSize=2", "--set", "Umt:Run:DataWorkers=1",
        "--set", "Umt:Model:Depth=1", "--set", "Umt:Objectives:mae-pixels:Options:DecoderDepth=1",
        "--set", "Umt:Run:CheckpointEvery=1", "--set", $"Umt:Run:OutputDir={run}",
        .. extra,
    ];

    [Fact]
    public void Resume_passes_over_an_unreadable_checkpoint_with_a_warning_and_keeps_it()
    {
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        TestSupport.Umt.Run(log, Tiny(run, 2)).ExitCode.Should().Be(0);
        File.WriteAllText(Path.Combine(run, "checkpoint-2", CheckpointStore.StateFile), "garbage");
        // As a checkpoint written before checksums were recorded.
        string older = Path.Combine(run, "checkpoint-1", CheckpointStore.StateFile);
        var state = JsonNode.Parse(File.ReadAllText(older))!.AsObject();
        state.Remove("Sha256");
        File.WriteAllText(older, state.ToJsonString());

        var result = TestSupport.Umt.Run(log, [.. Tiny(run, 3), "--resume"]);

        result.ExitCode.Should().Be(0);
        var warnings = File.ReadAllLines(Path.Combine(run, "log.jsonl")).Where(l => l.Contains("\"@l\":\"Warning\"", StringComparison.Ordinal)).ToList();
        warnings.Should().Contain(l => l.Contains("checkpoint-2") && l.Contains("state.json is not a training state"));
        warnings.Should().Contain(l => l.Contains("checkpoint-1") && l.Contains("could not be verified"));
        result.Output.Should().Contain("steps 1 → 3 of 3");
        Directory.GetFiles(run, CheckpointStore.StateFile, SearchOption.AllDirectories)
            .Should().Contain(f => File.ReadAllText(f) == "garbage", "a checkpoint the run could not use is kept, not deleted");
    }

    [Fact]
    public void Resume_refuses_a_changed_seed_or_masking_but_takes_a_lower_learning_rate_and_keeps_the_run_configuration()
    {
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        TestSupport.Umt.Run(log, Tiny(run, 1)).ExitCode.Should().Be(0);
        string original = File.ReadAllText(Path.Combine(run, Trainer.ResolvedConfigFile));

        var refused = TestSupport.Umt.Run(log, [.. Tiny(run, 2, "--set", "Umt:Run:Seed=7", "--set", "Umt:Masking:Options:tube:Ratio=0.75"), "--resume"]);

        refused.ExitCode.Should().Be(2);
        refused.Error.Should().Contain("Umt:Run:Seed").And.Contain("Umt:Masking:Options:tube:Ratio");
        File.ReadAllText(Path.Combine(run, Trainer.ResolvedConfigFile)).Should().Be(original);

        var resumed = TestSupport.Umt.Run(log, [.. Tiny(run, 2, "--set", "Umt:Optimizer:Lr=0.0001"), "--resume"]);

        resumed.ExitCode.Should().Be(0);
        File.ReadAllText(Path.Combine(run, Trainer.ResolvedConfigFile)).Should().Be(original, "the run's configuration is not overwritten");
        Directory.GetFiles(run, "config-resume-*.json").Should().ContainSingle()
            .Which.Should().Match(f => File.ReadAllText(f).Contains("0.0001"));
    }
}
