using Umt.Abstractions.Masking;
using Umt.Models.Student;
using Umt.Models.Weights;
using Umt.Plugins.Datasets.Kinetics;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Model;
using Umt.Tests.Datasets.Media;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary><c>umt extract</c> on a folder of real files with a broken one, checked against the student run by hand.</summary>
public sealed class ExtractCommandTests(ITestOutputHelper log)
{
    [Fact]
    public void Extract_writes_pooled_and_token_features_equal_to_the_students_and_lists_unreadable_files()
    {
        MediaFixtures.RequireFfmpeg();
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        TestSupport.Umt.Run(log, "train", "--set", "Umt:Run:Steps=1", "--set", "Umt:Run:BatchSize=2", "--set", "Umt:Run:WarmupSteps=0",
            "--set", $"Umt:Run:OutputDir={run}").ExitCode.Should().Be(0);
        SyntheticMediaExport.Write(new SyntheticExportOptions(temp.Combine("data"), Clips: 3, Images: 0, Size: 64, Frames: 16));
        string videos = temp.Combine("data", "videos");
        File.WriteAllText(Path.Combine(videos, "broken.mp4"), "not a video");

        var result = TestSupport.Umt.Run(log, "extract", "--checkpoint", run, "--input", videos, "--out", temp.Combine("out"), "--tokens", "--batch", "2");

        result.ExitCode.Should().Be(0);
        result.Output.Should().Contain("Extracted 3 clips (1 unreadable)");
        File.ReadAllText(temp.Combine("out", "unreadable.csv")).Should().Contain("broken.mp4").And.Contain("not a readable media file");
        string[] index = File.ReadAllLines(temp.Combine("out", "index.csv"));
        index.Should().HaveCount(4, "a header and one row per readable clip");
        using var scope = NewDisposeScope();
        var pooled = SafetensorsFile.Read(temp.Combine("out", "features.safetensors"))["pooled"];                  // [3, D]
        pooled.shape.Should().Equal(3, 192);
        var shards = Directory.GetFiles(temp.Combine("out", "tokens"), "shard-*.safetensors").Order().Select(f => SafetensorsFile.Read(f)).ToList();
        shards.SelectMany(s => s["rows"].data<long>().ToArray()).Should().Equal(0, 1, 2);
        var tokens = cat(shards.Select(s => s["tokens"]).ToList(), 0);                                            // [3, N, D]
        tokens.shape.Should().Equal(3, 512, 192);
        tokens.mean([1]).allclose(pooled, rtol: 1e-5, atol: 1e-6).Should().BeTrue("pooled is the mean of the tokens");

        // The same clip through the student by hand: weights from the checkpoint, all tokens visible.
        using var student = new VideoVisionTransformer(StudentPresets.Get("tiny") with { Frames = 8, ImageSize = 64, PatchSize = 8, Tubelet = 1 });
        StateDictLoader.Load(student, SafetensorsFile.Read(Path.Combine(new CheckpointStore(run).Latest()!.Directory, "model.safetensors")), TrainingModel.StudentPrefix);
        student.eval();
        string list = temp.Combine("one.csv");
        string first = index[1].Split(',')[1];
        File.WriteAllText(list, $"{Path.GetRelativePath(videos, first)},0\n");
        using var dataset = MediaFixtures.Create("kinetics", new KineticsOptions { Manifest = list, Root = videos, Mode = "eval" }, frames: 8, imageSize: 64, temp.Path);
        var video = tensor(dataset.Read(0, 0).Pixels, [1, 3, 8, 64, 64]);                                         // [1, 3, T, H, W]
        using (no_grad())
        {
            var last = student.ForwardVisible(video, TokenSelection.FromMask(zeros([1, 512], ScalarType.Bool)), [5], null)[5];              // [1, N, D]
            last.allclose(tokens[0].unsqueeze(0), rtol: 1e-4, atol: 1e-5).Should().BeTrue("row 0 holds the first listed clip's tokens");
        }
    }
}
