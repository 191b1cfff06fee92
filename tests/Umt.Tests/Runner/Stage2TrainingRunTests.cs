using System.Globalization;
using System.Text.Json;
using Umt.Models.Weights;
using Umt.Runner.Cli;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Workflows.Evaluation.Retrieval;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>
/// Stage 2 end to end on the embedded data, as CI smoke training: a short stage-1 run, then
/// configs/umt-stage2.json started from it (video and image batches alternating, MiniLM, all four
/// losses), then <c>umt eval retrieval</c> on its checkpoint.
/// </summary>
public sealed class Stage2TrainingRunTests(ITestOutputHelper log)
{
    private static readonly string[] Objectives = ["umt-alignment", "vtc", "vtm", "mlm"];

    [Fact]
    public void Stage2_smoke_run_from_a_stage1_checkpoint_lowers_its_losses_and_evaluates_retrieval()
    {
        using var temp = new TemporaryDirectory();
        string stage1 = temp.Combine("stage1"), stage2 = temp.Combine("stage2");
        var first = TestSupport.Umt.Run(log, "train",
            "--set", "Umt:Run:Steps=2", "--set", "Umt:Run:BatchSize=4", "--set", "Umt:Run:DataWorkers=1", "--set", "Umt:Model:Frames=4",
            "--set", $"Umt:Run:OutputDir={stage1}");
        first.ExitCode.Should().Be(0, first.All);

        var second = TestSupport.Umt.Run(log, "train", "--config", "configs/umt-stage2.json",
            "--set", "Umt:Run:Steps=30", "--set", "Umt:Run:WarmupSteps=3", "--set", "Umt:Run:BatchSize=8", "--set", "Umt:Run:DataWorkers=1",
            "--set", "Umt:Run:LogEvery=1", "--set", "Umt:Run:CheckpointEvery=30", "--set", "Umt:Optimizer:Lr=0.0005",
            "--set", $"Umt:Stage2:From={stage1}", "--set", $"Umt:Run:OutputDir={stage2}");

        second.ExitCode.Should().Be(0, second.All);
        string logText = File.ReadAllText(Path.Combine(stage2, "log.jsonl"));
        logText.Should().Contain("Stage 2 starts from").And.Contain("encoder.*").And.Contain("clip_decoder.*", "the stage-1 student and alignment heads are loaded");
        var state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(stage2, "checkpoint-30", "state.json")))!;
        state.Losses.Should().HaveCount(30).And.OnlyContain(l => double.IsFinite(l));
        state.ImageOffset.Should().BeGreaterThan(0, "image batches alternate with the video batches");
        state.Offset.Should().BeGreaterThan(0);
        var perObjective = logText.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.TryGetProperty("PerObjective", out _))
            .Select(e => e.GetProperty("PerObjective").GetString()!.Split(' ').Select(part => part.Split('=')).ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture)))
            .ToList();
        perObjective.Should().HaveCount(30, "LogEvery = 1");
        perObjective.Should().AllSatisfy(step => step.Keys.Should().BeEquivalentTo(Objectives))
            .And.AllSatisfy(step => step.Values.Should().OnlyContain(v => double.IsFinite(v) && v >= 0, "all four losses are finite at every step"));
        double early = state.Losses.Take(5).Average(), late = state.Losses.Skip(25).Average();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stage-2 total loss steps 1-5 {early:F4}, steps 26-30 {late:F4}"));
        late.Should().BeLessThanOrEqualTo(0.9 * early, "30 steps of stage 2 must lower the summed loss");

        var keys = SafetensorsFile.ReadHeader(Path.Combine(stage2, "checkpoint-30", "model.safetensors")).Tensors;
        keys.Keys.Should().Contain(["encoder.norm.weight", "clip_decoder.0.head.weight", "pool_norm.weight", "vision_proj.weight", "text_proj.weight", "temp", "itm_head.weight",
            "text_encoder.bert.encoder.layer.3.crossattention.self.key.weight", "text_encoder.cls.predictions.transform.dense.weight"]);
        keys["vision_proj.weight"].Shape.Should().Equal(256, 192);  // Linear(D = 192 → E = 256)
        keys["text_proj.weight"].Shape.Should().Equal(256, 384);    // Linear(MiniLM 384 → E = 256)
        keys["text_encoder.bert.encoder.layer.3.crossattention.self.key.weight"].Shape.Should().Equal([384L, 192L], "cross-attention keys come from the student's tokens");

        // A stage-2 checkpoint as From loads every module, the unprefixed heads included.
        string again = temp.Combine("again");
        var third = TestSupport.Umt.Run(log, "train", "--config", "configs/umt-stage2.json", "--set", "Umt:Run:Steps=1", "--set", "Umt:Run:BatchSize=4",
            "--set", "Umt:Run:DataWorkers=1", "--set", $"Umt:Stage2:From={stage2}", "--set", $"Umt:Run:OutputDir={again}");
        third.ExitCode.Should().Be(0, third.All);
        File.ReadAllText(Path.Combine(again, "log.jsonl")).Should().Contain("\"Kept\":\"nothing\"").And.Contain("\"Ignored\":0");

        var eval = TestSupport.Umt.Run(log, "eval", "retrieval", "--checkpoint", stage2, "--test", "24", "--rerank", "4", "--json");
        eval.ExitCode.Should().Be(0, eval.All);
        eval.Error.Should().MatchRegex(@"(?m)^eval retrieval: 24/24 clips \(100%\), ", "the held-out clips are counted on stderr (issue 19)");
        var result = JsonSerializer.Deserialize<RetrievalResult>(eval.Output, CliJson.Options)!;
        result.Clips.Should().Be(24);
        result.Protocol.Should().Be("equal-captions", "the default protocol, the synthetic data's");
        result.Texts.Should().Be(24, "one query per clip");
        result.Reranked.Should().NotBeNull("the run trained vtm, so its itm_head re-ranks");
        result.RerankK.Should().Be(4);
        foreach (var scores in new[] { result.Contrastive.TextToVideo, result.Contrastive.VideoToText, result.Reranked!.TextToVideo, result.Reranked.VideoToText })
        {
            scores.R1.Should().BeInRange(0, 1);
            scores.R5.Should().BeInRange(scores.R1, 1);
            scores.R10.Should().BeInRange(scores.R5, 1);
            scores.MedianRank.Should().BeInRange(1, 24);
        }
        result.Contrastive.TextToVideo.ChanceR1.Should().BeApproximately(result.Contrastive.VideoToText.ChanceR1, 1e-9, "equal captions make a symmetric positive relation");
    }
}
