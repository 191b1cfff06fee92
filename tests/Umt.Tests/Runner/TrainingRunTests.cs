using System.Text.Json;
using Umt.Models.Weights;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Training;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary>End-to-end training on the embedded synthetic data with the tiny preset (CI smoke training).</summary>
public sealed class TrainingRunTests(ITestOutputHelper log)
{
    /// <summary>The VideoMAE baseline overlay, shrunk to CI size.</summary>
    private static string[] Tiny(string outputDir, int steps, params string[] extra) =>
    [
        "--config", "configs/videomae.json",
        "--set", $"Umt:Run:Steps={steps}", "--set", "Umt:Run:BatchSize=4", "--set", "Umt:Run:DataWorkers=1",
        "--set", "Umt:Run:LogEvery=5", "--set", $"Umt:Run:OutputDir={outputDir}",
        .. extra,
    ];

    [Fact]
    public void Smoke_training_lowers_the_loss_and_writes_checkpoint_tensorboard_and_log()
    {
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");

        var result = TestSupport.Umt.Run(log, ["train", .. Tiny(run, 30, "--set", "Umt:Run:WarmupSteps=3", "--set", "Umt:Run:CheckpointEvery=15", "--set", "Umt:Optimizer:Lr=0.002")]);

        result.ExitCode.Should().Be(0);
        var state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(run, "checkpoint-30", "state.json")))!;
        state.Losses.Should().HaveCount(30).And.OnlyContain(l => double.IsFinite(l));
        double first = state.Losses.Take(5).Average(), last = state.Losses.Skip(25).Average();
        log.WriteLine($"loss steps 1-5 {first:F4}, steps 26-30 {last:F4}");
        last.Should().BeLessThanOrEqualTo(0.9 * first, "30 steps of the baseline must learn something");

        File.ReadAllText(Path.Combine(run, "latest")).Trim().Should().Be("checkpoint-30");
        SafetensorsFile.ReadHeader(Path.Combine(run, "checkpoint-30", "model.safetensors")).Tensors.Keys
            .Should().Contain(["encoder.patch_embed.proj.weight", "encoder.blocks.0.attn.q_bias", "mae-pixels.mask_token", "mae-pixels.decoder.head.weight"]);
        Directory.GetFiles(Path.Combine(run, "tensorboard"), "events.out.tfevents*").Should().NotBeEmpty();
        var lines = File.ReadAllLines(Path.Combine(run, "log.jsonl"));
        lines.Should().Contain(l => l.Contains("\"Metrics\":true") && l.Contains("\"Step\":30"), "metric lines reach the JSON-lines log");
        lines.Select(l => JsonDocument.Parse(l)).Should().NotBeEmpty("every line is a JSON object");
        File.Exists(Path.Combine(run, "config.json")).Should().BeTrue("the resolved configuration is saved in the run folder");
        result.Output.Should().Contain("Finished: steps 0 → 30 of 30").And.Contain("checkpoint").And.Contain("tensorboard --logdir");
    }

    [Fact]
    public void A_run_stopped_after_a_checkpoint_and_resumed_ends_bit_identical_to_an_uninterrupted_run()
    {
        using var temp = new TemporaryDirectory();
        string straight = temp.Combine("straight"), resumed = temp.Combine("resumed");
        string[] schedule = ["--set", "Umt:Run:CheckpointEvery=4", "--set", "Umt:Run:WarmupSteps=2"];

        TestSupport.Umt.Run(log, ["train", .. Tiny(straight, 8, schedule)]).ExitCode.Should().Be(0);
        TestSupport.Umt.Run(log, ["train", .. Tiny(resumed, 8, schedule), "--stop-after", "4"]).ExitCode.Should().Be(0);
        File.ReadAllText(Path.Combine(resumed, "latest")).Trim().Should().Be("checkpoint-4");
        var second = TestSupport.Umt.Run(log, ["train", .. Tiny(resumed, 8, schedule), "--resume"]);

        second.ExitCode.Should().Be(0);
        second.Output.Should().Contain("steps 4 → 8 of 8");
        using var scope = NewDisposeScope();
        var a = SafetensorsFile.Read(Path.Combine(straight, "checkpoint-8", "model.safetensors"));
        var b = SafetensorsFile.Read(Path.Combine(resumed, "checkpoint-8", "model.safetensors"));
        b.Keys.Should().BeEquivalentTo(a.Keys);
        foreach (var (key, value) in a)
        {
            value.equal(b[key]).all().item<bool>().Should().BeTrue($"{key} must be bit-identical after resume");
        }
        var optimizerA = SafetensorsFile.Read(Path.Combine(straight, "checkpoint-8", "optimizer.safetensors"));
        var optimizerB = SafetensorsFile.Read(Path.Combine(resumed, "checkpoint-8", "optimizer.safetensors"));
        optimizerA.Keys.Should().OnlyContain(k => optimizerA[k].equal(optimizerB[k]).all().item<bool>());
    }

    [Fact]
    public void Resume_refuses_a_configuration_that_changes_the_model_and_names_the_keys()
    {
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        TestSupport.Umt.Run(log, ["train", .. Tiny(run, 2)]).ExitCode.Should().Be(0);

        var result = TestSupport.Umt.Run(log, ["train", .. Tiny(run, 4, "--set", "Umt:Objectives:mae-pixels:Options:DecoderDepth=2"), "--resume"]);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("refusing to continue").And.Contain("Umt:Objectives:mae-pixels:Options:DecoderDepth: checkpoint has '4', configuration has '2'");
    }

    [Fact]
    public void Training_into_a_folder_with_checkpoints_without_resume_is_refused()
    {
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        TestSupport.Umt.Run(log, ["train", .. Tiny(run, 1)]).ExitCode.Should().Be(0);

        var result = TestSupport.Umt.Run(log, ["train", .. Tiny(run, 1)]);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("Umt:Run:OutputDir").And.Contain("already holds checkpoints").And.Contain("--resume");
    }

    [Fact]
    public void A_non_finite_loss_stops_the_run_before_the_update_and_writes_no_checkpoint()
    {
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        TestSupport.Umt.Run(log, ["train", .. Tiny(run, 2)]).ExitCode.Should().Be(0);
        // Poison the decoder's output bias, as a corrupt sample or an exploding update would poison activations.
        string model = Path.Combine(run, "checkpoint-2", "model.safetensors");
        using (var scope = NewDisposeScope())
        {
            var tensors = SafetensorsFile.Read(model);
            tensors["mae-pixels.decoder.head.bias"] = full_like(tensors["mae-pixels.decoder.head.bias"], float.NaN);
            SafetensorsFile.Write(model, tensors);
        }
        // Recorded as written: the checkpoint is intact, only its weights are poisoned.
        string statePath = Path.Combine(run, "checkpoint-2", "state.json");
        var state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(statePath))!;
        state.Sha256["model.safetensors"] = FileChecksum.Sha256(model);
        File.WriteAllText(statePath, JsonSerializer.Serialize(state));

        var result = TestSupport.Umt.Run(log, ["train", .. Tiny(run, 4, "--set", "Umt:Run:CheckpointEvery=1"), "--resume"]);

        result.ExitCode.Should().Be(1);
        result.Error.Should().Contain("The loss became non-finite (NaN) at step 3").And.Contain("mae-pixels = NaN").And.Contain("no checkpoint holds the bad update");
        File.ReadAllText(Path.Combine(run, "latest")).Trim().Should().Be("checkpoint-2");
        Directory.Exists(Path.Combine(run, "checkpoint-3")).Should().BeFalse();
    }

    [Fact]
    public void A_diverging_update_is_never_checkpointed_and_resume_continues_from_the_last_finite_checkpoint()
    {
        // Issue 15's reproduction: an effective lr of 80 (the issue had 160: Lr 10 × batch 16 / 1) gives a finite loss at step 2 whose
        // gradients overflow; the update used to turn the weights into NaN and be saved as checkpoint-2,
        // after which --resume loaded NaN weights and failed on its first forward.
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        string[] diverging = Tiny(run, 8, "--set", "Umt:Run:BatchSize=8", "--set", "Umt:Optimizer:Lr=10", "--set", "Umt:Optimizer:BaseBatch=1",
            "--set", "Umt:Run:WarmupSteps=0", "--set", "Umt:Run:CheckpointEvery=1");

        var result = TestSupport.Umt.Run(log, ["train", .. diverging]);

        result.ExitCode.Should().Be(1);
        var checkpoints = Directory.GetDirectories(run, "checkpoint-*");
        checkpoints.Should().NotBeEmpty("the steps before the divergence were saved");
        using (var scope = NewDisposeScope())
        {
            foreach (string checkpoint in checkpoints)
            {
                foreach (string file in new[] { CheckpointStore.ModelFile, CheckpointStore.OptimizerFile })
                {
                    var bad = SafetensorsFile.Read(Path.Combine(checkpoint, file))
                        .Where(kv => kv.Value.is_floating_point() && !kv.Value.isfinite().all().item<bool>()).Select(kv => kv.Key);
                    bad.Should().BeEmpty($"{Path.GetFileName(checkpoint)}/{file} holds only finite values");
                }
            }
        }
        long latest = new CheckpointStore(run).Latest()!.State.Step;
        result.Error.Should().Contain($"non-finite (norm NaN) at step {latest + 1} although the loss was finite").And.Contain("continue with --resume");

        // The resumed run loads finite weights and optimizer state and trains its next step from them
        // (the loss is finite again); the lr-80 update of step 1 left weights so large that this
        // step's gradients overflow again, and it stops again without writing anything.
        var resumed = TestSupport.Umt.Run(log, ["train", .. diverging, "--resume"]);

        resumed.ExitCode.Should().Be(1);
        resumed.Error.Should().Contain($"at step {latest + 1} although the loss was finite");
        new CheckpointStore(run).Latest()!.State.Step.Should().Be(latest);
    }
}
