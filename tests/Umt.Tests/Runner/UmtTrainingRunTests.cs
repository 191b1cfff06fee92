using System.Text.Json;
using Umt.Models.Weights;
using Umt.Runner.Engine.Training;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>
/// The default job, UMT stage 1 with the shipped tiny teacher, as CI smoke training; and the
/// mechanism check that justifies semantic masking on the embedded data.
/// </summary>
public sealed class UmtTrainingRunTests(ITestOutputHelper log)
{
    [Fact]
    public void Default_umt_smoke_run_lowers_the_alignment_loss_and_saves_the_reference_keys()
    {
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");

        var result = TestSupport.Umt.Run(log, "train",
            "--set", "Umt:Run:Steps=30", "--set", "Umt:Run:WarmupSteps=3", "--set", "Umt:Run:BatchSize=8", "--set", "Umt:Run:DataWorkers=1",
            "--set", "Umt:Run:LogEvery=5", "--set", "Umt:Run:CheckpointEvery=30", "--set", $"Umt:Run:OutputDir={run}");

        result.ExitCode.Should().Be(0, result.All);
        var state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(run, "checkpoint-30", "state.json")))!;
        state.Losses.Should().HaveCount(30).And.OnlyContain(l => double.IsFinite(l) && l >= 0 && l <= 4, "2 − 2cos lies in [0, 4]");
        double first = state.Losses.Take(5).Average(), last = state.Losses.Skip(25).Average();
        log.WriteLine($"umt-alignment steps 1-5 {first:F4}, steps 26-30 {last:F4}");
        last.Should().BeLessThanOrEqualTo(0.9 * first, "30 steps of UMT stage 1 must align the student to the teacher");

        var keys = SafetensorsFile.ReadHeader(Path.Combine(run, "checkpoint-30", "model.safetensors")).Tensors;
        keys.Keys.Should().Contain(["encoder.blocks.5.attn.q_bias", "encoder.norm.weight", "clip_decoder.0.head.weight", "clip_decoder.2.norm.bias"]);
        keys.Keys.Should().NotContain(k => k.StartsWith("clip_decoder.3.", StringComparison.Ordinal), "K = 3 heads");
        keys.Keys.Should().NotContain(k => k.Contains("visual", StringComparison.Ordinal) || k.Contains("pos_embed", StringComparison.Ordinal), "the frozen teacher and the fixed tables are not saved");
        keys["clip_decoder.0.head.weight"].Shape.Should().Equal(128, 192); // Linear(D = 192 → C = 128)
        string logText = File.ReadAllText(Path.Combine(run, "log.jsonl"));
        logText.Should().Contain("\"Visible\":104").And.Contain("\"Tokens\":512").And.Contain("[3, 8, 104, 128]", "the first step logs 13 of 64 tokens per frame visible and the aligned targets [K, B, Nv, C]");
    }

    [Fact]
    public void Semantic_masking_keeps_small_objects_visible_at_least_twice_as_often_as_random()
    {
        using var temp = new TemporaryDirectory();
        double Enrichment(string masking)
        {
            var result = TestSupport.Umt.Run(log, "mask", "--draws", "1", "--out", temp.Combine(masking), "--enrichment", "48",
                "--set", $"Umt:Masking:Use={masking}", "--set", $"Umt:Masking:Options:{masking}:Ratio=0.8", "--set", "Umt:Dataset:Options:synthetic:Split=test");
            result.ExitCode.Should().Be(0, result.All);
            string line = result.Output.Split('\n').Single(l => l.Contains("visible-token enrichment", StringComparison.Ordinal));
            return double.Parse(line.Split("box ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }

        double semantic = Enrichment("semantic"), random = Enrichment("random");

        log.WriteLine($"enrichment of visible tokens in small objects' boxes: semantic {semantic:F3}, random {random:F3}");
        random.Should().BeInRange(0.6, 1.4, "random masking has no preference for the object");
        semantic.Should().BeGreaterThanOrEqualTo(2 * random, "the shipped teacher's attention keeps the object visible (synthetic-benchmark.md mechanism check)");
    }
}
