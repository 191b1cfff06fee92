using System.Diagnostics;
using Umt.Models.Weights;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Engine.Checkpoints;
using Umt.Tests.Datasets.Media;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary>A bare <c>model.safetensors</c>, copied away from its run, loads with no <c>--config</c>: its metadata describes it.</summary>
public sealed class SelfDescribingCheckpointTests(ITestOutputHelper log)
{
    [Fact]
    public void A_bare_model_file_of_a_non_default_geometry_extracts_with_no_config_the_same_features_as_with_it()
    {
        MediaFixtures.RequireFfmpeg();
        var clock = Stopwatch.StartNew();
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        // 16 frames, tubelet 2, one layer: none of it is plugins.json's default geometry.
        TestSupport.Umt.Run(log, ResumeSafetyTests.Tiny(run, 1)).ExitCode.Should().Be(0);
        string bare = temp.Combine("elsewhere", "copied", CheckpointStore.ModelFile);
        Directory.CreateDirectory(Path.GetDirectoryName(bare)!);
        File.Copy(Path.Combine(run, "checkpoint-1", CheckpointStore.ModelFile), bare);
        var media = SyntheticMediaExport.Write(new SyntheticExportOptions(temp.Combine("data"), Clips: 2, Images: 0, Size: 64, Frames: 16));
        string videos = Path.Combine(media.Output, "videos");

        var alone = TestSupport.Umt.Run(log, "extract", "--checkpoint", bare, "--input", videos, "--out", temp.Combine("alone"));
        var configured = TestSupport.Umt.Run(log, "extract", "--checkpoint", bare, "--config", Path.Combine(run, "config.json"), "--input", videos, "--out", temp.Combine("configured"));

        alone.ExitCode.Should().Be(0, alone.All);
        configured.ExitCode.Should().Be(0, configured.All);
        var metadata = SafetensorsFile.ReadHeader(bare).Metadata;
        metadata[ModelDescription.IdentityKey].Should().Contain("\"Umt:Model:Depth\":\"1\"").And.Contain("\"Umt:Model:Tubelet\":\"2\"").And.Contain("\"Umt:Teacher:Use\":\"none\"");
        using var scope = NewDisposeScope();
        var withoutConfig = SafetensorsFile.Read(temp.Combine("alone", "features.safetensors"))["pooled"];           // [2, D]
        var withConfig = SafetensorsFile.Read(temp.Combine("configured", "features.safetensors"))["pooled"];        // [2, D]
        withoutConfig.shape.Should().Equal(2, 192);
        withoutConfig.allclose(withConfig, rtol: 0, atol: 0).Should().BeTrue("the file's own configuration rebuilds the same student");
        log.WriteLine($"test took {clock.Elapsed.TotalSeconds:F1} s");
    }
}
