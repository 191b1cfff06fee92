using System.Text.Json;
using Umt.Runner.Engine.Checkpoints;
using Umt.Tests.Datasets.Media;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>
/// The acceptance path of the real-data loaders: <c>umt data synth</c> writes .mp4/.jpg files and
/// overlays, and short <c>umt train</c> runs on them complete through each loader.
/// </summary>
public sealed class RealDataTrainingTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("kinetics", 8)]
    [InlineData("webvid", 8)]
    [InlineData("cc3m", 1)]
    public void Short_training_runs_on_synthesized_files_complete(string dataset, int frames)
    {
        MediaFixtures.RequireFfmpeg();
        using var temp = new TemporaryDirectory();
        var synth = TestSupport.Umt.Run(log, "data", "synth", "--out", temp.Combine("data"), "--clips", "8", "--images", "8", "--frames", "12");
        synth.ExitCode.Should().Be(0);
        string overlay = temp.Combine("data", $"{dataset}.json");
        synth.Output.Should().Contain($"./umt train --config {overlay}");
        string run = temp.Combine("run");

        var result = TestSupport.Umt.Run(log, "train", "--config", overlay, "--set", "Umt:Run:Steps=2", "--set", "Umt:Run:BatchSize=4",
            "--set", "Umt:Run:WarmupSteps=1", "--set", "Umt:Run:LogEvery=1", "--set", $"Umt:Run:OutputDir={run}");

        result.ExitCode.Should().Be(0);
        result.Output.Should().Contain("Finished: steps 0 → 2 of 2").And.Contain("skipped   0 unreadable samples");
        var state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(run, "checkpoint-2", "state.json")))!;
        state.Losses.Should().HaveCount(2).And.OnlyContain(loss => double.IsFinite(loss) && loss > 0);
        state.Offset.Should().Be(8, "two batches of 4 of the 8 files: the cursor stands at the end of the first epoch");
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))).RootElement.GetProperty("Umt");
        config.GetProperty("Dataset").GetProperty("Use").GetString().Should().Be(dataset);
        config.GetProperty("Model").GetProperty("Frames").GetInt32().Should().Be(frames, "images train as one-frame clips (a JSON number, as configured)");
    }

    [Theory]
    [InlineData("data-k710.json", "kinetics", "kinetics_train.csv")]
    [InlineData("data-k400.json", "kinetics", "kinetics_train.csv")]
    [InlineData("data-webvid.json", "webvid", "webvid_train.json")]
    public void The_data_overlays_bind_and_validate_once_their_files_exist(string overlay, string dataset, string manifest)
    {
        MediaFixtures.RequireFfmpeg();
        using var temp = new TemporaryDirectory();
        TestSupport.Umt.Run(log, "data", "synth", "--out", temp.Path, "--clips", "4", "--frames", "8").ExitCode.Should().Be(0);

        var result = TestSupport.Umt.Run(log, "validate", "--config", "configs/umt-b16-k710.json", "--config", $"configs/{overlay}",
            "--set", "Umt:Teacher:Use=tiny-clip", "--set", "Umt:Model:Preset=tiny", "--set", "Umt:Run:BatchSize=2",
            "--set", $"Umt:Dataset:Options:{dataset}:Manifest={temp.Combine(manifest)}", "--set", $"Umt:Dataset:Options:{dataset}:Root={temp.Path}",
            "--set", $"Umt:Dataset:Options:{dataset}:Format=auto");

        result.ExitCode.Should().Be(0, result.All);
        result.Output.Should().Contain($"dataset   {dataset}");
    }
}
