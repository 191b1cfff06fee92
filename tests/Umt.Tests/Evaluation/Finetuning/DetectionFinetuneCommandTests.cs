using System.Text.Json;
using Umt.Models.Weights;
using Umt.Plugins.Datasets.Ava;
using Umt.Runner.Cli;
using Umt.Runner.Workflows.Finetuning;
using Xunit.Abstractions;

namespace Umt.Tests.Evaluation.Finetuning;

/// <summary><c>umt finetune --task detection</c> end to end on the embedded data.</summary>
public sealed class DetectionFinetuneCommandTests(TinyPretrainedRun pretrained, ITestOutputHelper log) : IClassFixture<TinyPretrainedRun>
{
    [Fact]
    public void Detection_fine_tune_lowers_its_loss_and_scores_its_detections_csv_with_a_finite_map()
    {
        string output = pretrained.Temp.Combine("detection");
        var result = TestSupport.Umt.Run(log, "finetune", "--checkpoint", pretrained.Run, "--task", "detection", "--train", "64", "--test", "24",
            "--steps", "12", "--warmup-steps", "2", "--batch", "8", "--lr", "0.002", "--drop-path", "0", "--out", output,
            "--set", "Umt:Run:DataWorkers=1", "--set", "Umt:Run:LogEvery=100");

        result.ExitCode.Should().Be(0, result.All);
        result.Output.Should().Contain("frame mAP@0.5").And.Contain("ground truth boxes");
        var d = JsonSerializer.Deserialize<FinetuneReport>(File.ReadAllText(Path.Combine(output, "results.json")), CliJson.Options)!.Detection!;
        d.Classes.Should().Be(10, "the synthetic motions are the actions");
        d.Losses.Should().HaveCount(12).And.OnlyContain(l => double.IsFinite(l));
        d.Losses[0].Should().BeApproximately(8 * Math.Log(2), 0.05, "init_scale 0.001 gives logits near 0: BCE ln 2 per action, times the 8 boxes");
        d.Losses.Skip(9).Average().Should().BeLessThan(d.Losses.Take(3).Average() - 0.5, "12 steps lower the sigmoid cross-entropy");
        d.Test.MeanAp.Should().NotBeNull().And.BeInRange(0, 1);
        d.TestKeyFrames.Should().Be(24);
        AvaCsv.ReadAnnotations(d.GroundTruthFile).Should().HaveCount(24, "one object with one motion per held-out clip");
        AvaCsv.ReadDetections(d.DetectionsFile).Should().HaveCount(24 * 10, "every box is scored for every action");
        SafetensorsFile.ReadHeader(d.ModelFile).Tensors.Keys.Should().Contain(["encoder.norm.weight", "head.weight", "head.bias"]);

        var rescored = TestSupport.Umt.Run(log, "eval", "detection", "--groundtruth", d.GroundTruthFile, "--detections", d.DetectionsFile, "--labelmap", d.LabelMapFile, "--json");
        rescored.ExitCode.Should().Be(0, rescored.All);
        JsonDocument.Parse(rescored.Output).RootElement.GetProperty("mean_ap").GetDouble().Should().BeApproximately(d.Test.MeanAp!.Value, 1e-12, "the files are what was scored");
    }

    [Fact]
    public void Detection_on_a_dataset_other_than_synthetic_needs_a_label_map()
    {
        var result = TestSupport.Umt.Run(log, "finetune", "--checkpoint", pretrained.Run, "--task", "detection", "--dataset", "ava",
            "--train-manifest", "none.csv", "--test-manifest", "none.csv", "--root", ".", "--out", pretrained.Temp.Combine("no-labelmap"));

        result.ExitCode.Should().Be(2, result.All);
        result.Error.Should().Contain("--labelmap is required for the 'ava' dataset").And.NotContain("   at ");
    }
}
