using System.Text.Json;
using Umt.Models.Weights;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Cli;
using Umt.Runner.Workflows.Evaluation.Qa;
using Umt.Runner.Workflows.Finetuning;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Evaluation.Finetuning;

/// <summary>A one-step stage-1 run of a very small student (2 frames of 32², 32 tokens), shared by the end-to-end fine-tunes.</summary>
public sealed class TinyPretrainedRun : IDisposable
{
    public TinyPretrainedRun()
    {
        Run = Temp.Combine("stage1");
        var result = TestSupport.Umt.Run(null, "train", "--set", "Umt:Run:Steps=1", "--set", "Umt:Run:BatchSize=2", "--set", "Umt:Run:DataWorkers=1",
            "--set", "Umt:Model:Frames=2", "--set", "Umt:Model:ImageSize=32", "--set", $"Umt:Run:OutputDir={Run}");
        result.ExitCode.Should().Be(0, result.All);
    }

    public TemporaryDirectory Temp { get; } = new();

    public string Run { get; }

    public void Dispose() => Temp.Dispose();
}

/// <summary><c>umt finetune</c> end to end on the embedded data: classification beats chance, a missing label set is refused, retrieval reports its metrics.</summary>
public sealed class FinetuneCommandTests(TinyPretrainedRun pretrained, ITestOutputHelper log) : IClassFixture<TinyPretrainedRun>
{
    [Fact]
    public void Classification_fine_tune_lowers_its_loss_scores_the_held_out_split_and_writes_its_model_and_results()
    {
        string output = pretrained.Temp.Combine("classification");
        var result = TestSupport.Umt.Run(log, "finetune", "--checkpoint", pretrained.Run, "--label", "appearance", "--train", "256", "--test", "64",
            "--steps", "24", "--warmup-steps", "3", "--batch", "16", "--lr", "0.001", "--label-smoothing", "0", "--drop-path", "0", "--out", output,
            "--set", "Umt:Run:DataWorkers=1", "--set", "Umt:Run:LogEvery=100");

        result.ExitCode.Should().Be(0, result.All);
        result.Output.Should().Contain("top-1").And.Contain("top-5");
        result.Error.Should().MatchRegex(@"(?m)^finetune: 24/24 steps \(100%\), .*, loss \d").And.MatchRegex(@"(?m)^finetune test view 1/1: 64/64 clips \(100%\)",
            "training steps and test clips are counted on stderr (issue 19)");
        var report = JsonSerializer.Deserialize<FinetuneReport>(File.ReadAllText(Path.Combine(output, "results.json")), CliJson.Options)!;
        var c = report.Classification!;
        c.Classes.Should().Be(36);
        c.Steps.Should().Be(24);
        c.Losses.Should().HaveCount(24).And.OnlyContain(l => double.IsFinite(l));
        c.Losses[0].Should().BeApproximately(Math.Log(36), 0.01, "the head starts at init_scale 0.001: uniform logits");
        c.Losses.Skip(20).Average().Should().BeLessThan(c.Losses.Take(4).Average() - 0.05, "24 steps from a one-step student lower the cross-entropy");
        c.Test.Clips.Should().Be(64);
        c.Test.MultiView.Top1.Should().BeInRange(0, 1);
        c.Test.MultiView.Top5.Should().BeInRange(c.Test.MultiView.Top1, 1);
        SafetensorsFile.ReadHeader(c.ModelFile).Tensors.Keys.Should().Contain(["encoder.blocks.5.mlp.fc2.weight", "fc_norm.weight", "head.weight", "head.bias"])
            .And.NotContain(k => k.StartsWith("clip_decoder.", StringComparison.Ordinal), "the fine-tuned model holds the student and its head only");
    }

    [Fact]
    public void Fine_tuning_at_other_frames_and_resolution_resizes_the_pretrained_position_table_and_trains_finitely()
    {
        string output = pretrained.Temp.Combine("geometry");
        // Pre-trained at 2 frames of 32² in 8² patches (a 2×4×4 grid); fine-tuned at 4 frames of 40² (4×5×5).
        var result = TestSupport.Umt.Run(log, "finetune", "--checkpoint", pretrained.Run, "--label", "appearance", "--train", "16", "--test", "8",
            "--steps", "2", "--warmup-steps", "1", "--batch", "4", "--out", output,
            "--set", "Umt:Model:Frames=4", "--set", "Umt:Model:ImageSize=40", "--set", "Umt:Run:DataWorkers=1");

        result.ExitCode.Should().Be(0, result.All);
        var resized = File.ReadLines(Path.Combine(output, "log.jsonl")).Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.GetProperty("@mt").GetString()!.StartsWith("Position table interpolated", StringComparison.Ordinal))
            .Select(e => (From: e.GetProperty("From").GetString(), To: e.GetProperty("To").GetString()));
        resized.Should().Equal([("2×4×4", "4×5×5")]);
        var c = JsonSerializer.Deserialize<FinetuneReport>(File.ReadAllText(Path.Combine(output, "results.json")), CliJson.Options)!.Classification!;
        c.Losses.Should().HaveCount(2).And.OnlyContain(l => double.IsFinite(l));
        c.Test.Clips.Should().Be(8);
    }

    [Fact]
    public void A_label_set_the_dataset_lacks_is_refused_naming_the_valid_ones()
    {
        var result = TestSupport.Umt.Run(log, "finetune", "--checkpoint", pretrained.Run, "--label", "colour", "--out", pretrained.Temp.Combine("refused"));

        result.ExitCode.Should().Be(2, result.All);
        result.Error.Should().Contain("--label 'colour'").And.Contain("valid: appearance, motion").And.NotContain("   at ");
        File.Exists(pretrained.Temp.Combine("refused", "results.json")).Should().BeFalse();
    }

    [Fact]
    public void Retrieval_fine_tune_of_a_stage2_checkpoint_trains_vtc_and_vtm_unmasked_and_reports_finite_metrics()
    {
        string stage2 = pretrained.Temp.Combine("stage2");
        var first = TestSupport.Umt.Run(log, "train", "--config", "configs/umt-stage2.json", "--set", "Umt:Run:Steps=1", "--set", "Umt:Run:BatchSize=4",
            "--set", "Umt:Run:DataWorkers=1", "--set", "Umt:Model:Frames=2", "--set", "Umt:Model:ImageSize=32", "--set", "Umt:ImageDataset:Use=none",
            "--set", $"Umt:Stage2:From={pretrained.Run}", "--set", $"Umt:Run:OutputDir={stage2}");
        first.ExitCode.Should().Be(0, first.All);
        string output = pretrained.Temp.Combine("retrieval");

        var result = TestSupport.Umt.Run(log, "finetune", "--checkpoint", stage2, "--task", "retrieval", "--train", "64", "--test", "16",
            "--steps", "2", "--batch", "4", "--rerank", "4", "--out", output, "--set", "Umt:Run:DataWorkers=1", "--json");

        result.ExitCode.Should().Be(0, result.All);
        var report = JsonSerializer.Deserialize<FinetuneReport>(result.Output, CliJson.Options)!;
        var r = report.Retrieval!;
        r.Steps.Should().Be(2);
        r.Losses.Should().HaveCount(2).And.OnlyContain(l => double.IsFinite(l));
        string runLog = File.ReadAllText(Path.Combine(r.RunDirectory, "log.jsonl"));
        runLog.Should().Contain("vtc×1").And.Contain("vtm×1").And.NotContain("mlm×").And.NotContain("umt-alignment×");
        runLog.Should().Contain("\"Visible\":32,\"Tokens\":32", "random masking at ratio 0 hides nothing: all 2 × 4 × 4 tokens are visible");
        r.Test.Clips.Should().Be(16);
        foreach (var scores in new[] { r.Test.Contrastive.TextToVideo, r.Test.Contrastive.VideoToText, r.Test.Reranked!.TextToVideo, r.Test.Reranked.VideoToText })
        {
            scores.R1.Should().BeInRange(0, 1);
            scores.R5.Should().BeInRange(scores.R1, 1);
            scores.R10.Should().BeInRange(scores.R5, 1);
        }
        File.Exists(r.ModelFile).Should().BeTrue();

        string qaOutput = pretrained.Temp.Combine("qa");
        var qa = TestSupport.Umt.Run(log, "finetune", "--checkpoint", stage2, "--task", "qa", "--train", "16", "--test", "24",
            "--steps", "8", "--warmup-steps", "1", "--batch", "8", "--lr", "0.001", "--out", qaOutput, "--set", "Umt:Run:DataWorkers=1", "--json");

        qa.ExitCode.Should().Be(0, qa.All);
        var q = JsonSerializer.Deserialize<FinetuneReport>(qa.Output, CliJson.Options)!.Qa!;
        q.Steps.Should().Be(8);
        q.Losses.Should().HaveCount(8).And.OnlyContain(l => double.IsFinite(l));
        q.Losses.Skip(6).Average().Should().BeLessThan(q.Losses.Take(2).Average(), "four passes of VTC + VTM over 16 training clips lower the loss");
        q.Test.Overall.Questions.Should().Be(24);
        q.Test.Overall.Accuracy.Should().BeInRange(0, 1);
        q.Test.Overall.Chance.Should().BeInRange(0.2, 0.5, "5 candidates, 2 for a size question");
        q.Test.Acc.Should().Be(Math.Round(100 * q.Test.Overall.Accuracy, 2));
        q.Test.MatchOnly.Should().NotBeNull("the fine-tune trains vtm, so the checkpoint has itm_head");
        q.Test.ByKind.Keys.Should().BeSubsetOf(["colour", "shape", "size", "direction"]);

        string openOutput = pretrained.Temp.Combine("qa-open");
        var open = TestSupport.Umt.Run(log, "finetune", "--checkpoint", stage2, "--task", "qa", "--qa-form", "open-ended", "--train", "16", "--test", "16",
            "--steps", "8", "--warmup-steps", "1", "--batch", "8", "--lr", "0.002", "--out", openOutput, "--set", "Umt:Run:DataWorkers=1", "--json");

        open.ExitCode.Should().Be(0, open.All);
        var o = JsonSerializer.Deserialize<FinetuneReport>(open.Output, CliJson.Options)!.OpenEndedQa!;
        o.Steps.Should().Be(8);
        o.Losses.Should().HaveCount(8).And.OnlyContain(l => double.IsFinite(l));
        o.Losses.Skip(6).Average().Should().BeLessThan(o.Losses.Take(2).Average(), "four passes over 16 questions lower the answer decoder's loss");
        o.Test.Overall.Questions.Should().Be(16);
        o.Test.Answers.Should().Be(SyntheticQuestions.AnswerList.Count);
        o.Test.Overall.Chance.Should().BeApproximately(1.0 / SyntheticQuestions.AnswerList.Count, 1e-12);
        var predictions = JsonSerializer.Deserialize<List<OpenEndedPrediction>>(File.ReadAllText(o.PredictionsFile), new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!;
        predictions.Should().HaveCount(16).And.OnlyContain(p => SyntheticQuestions.AnswerList.Contains(p.Answer));
        File.ReadAllText(o.PredictionsFile).Should().Contain("\"question_id\"", "the reference's result form");

        // The fine-tuned file holds the decoder: eval qa reads it back and answers the same held-out questions the same way.
        var reread = TestSupport.Umt.Run(log, "eval", "qa", "--checkpoint", o.ModelFile, "--form", "open-ended", "--test", "16", "--set", "Umt:Run:DataWorkers=1", "--json");
        reread.ExitCode.Should().Be(0, reread.All);
        reread.Error.Should().NotContain("answer decoder starts from the text encoder", "the checkpoint's text_decoder.* weights load");
        var again = JsonSerializer.Deserialize<OpenEndedResult>(reread.Output, CliJson.Options)!;
        again.Predictions.Select(p => (p.QuestionId, p.Answer)).Should().Equal(predictions.Select(p => (p.QuestionId, p.Answer)));
        again.Acc.Should().Be(o.Test.Acc);
    }
}
