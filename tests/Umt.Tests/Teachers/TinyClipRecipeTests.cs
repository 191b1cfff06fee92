using System.Diagnostics;
using Serilog.Core;
using Umt.Models.Clip;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Workflows.TeacherTraining;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Teachers;

/// <summary>
/// Keeps the tiny teacher's recipe honest: a shortened run of <c>configs/teacher-tiny-clip.json</c>
/// (fewer steps and blocks; the same command, loss, data and schedule) learns captions it was never
/// shown the images of, while the same architecture untrained sits at chance (1/72).
/// </summary>
public sealed class TinyClipRecipeTests(ITestOutputHelper log)
{
    private const int HeldOutImages = 300;

    [Fact]
    public void Shortened_recipe_learns_zero_shot_captions_well_above_chance()
    {
        using var folder = new TemporaryDirectory();
        string output = folder.Combine("tiny-clip.safetensors");
        // Three image blocks and one text block (the recipe has 6 and 4) at batch 48 for 150 steps: the
        // shortest run found that reaches 0.1 (0.147 measured; two image blocks stay near 0.05).
        string[] shortened =
        [
            "--set", "Umt:TeacherTraining:Steps=150", "--set", "Umt:TeacherTraining:WarmupSteps=20", "--set", "Umt:TeacherTraining:BatchSize=48",
            "--set", "Umt:TeacherTraining:Lr=0.0007", "--set", "Umt:TeacherTraining:VisionLayers=3", "--set", "Umt:TeacherTraining:TextLayers=1",
            "--set", "Umt:TeacherTraining:LogEvery=50", "--set", $"Umt:TeacherTraining:Output={output}",
        ];

        var clock = Stopwatch.StartNew();
        var result = TestSupport.Umt.Run(log, ["teacher", "train", "--config", "configs/teacher-tiny-clip.json", .. shortened]);
        log.WriteLine($"shortened training: {clock.Elapsed.TotalSeconds:F1} s");
        result.ExitCode.Should().Be(0, result.All);
        result.Error.Should().MatchRegex(@"(?m)^teacher train: 150/150 steps \(100%\), .* steps/s, ETA 0:00, loss \d", "progress is counted on stderr (issue 19)");

        using var trained = TinyClipWeights.Load(output);
        var learnt = Evaluate(trained.Model, trained.Tokenizer);
        manual_seed(123);
        using var untrained = new ClipModel(trained.Model.Config);
        var chance = Evaluate(untrained, trained.Tokenizer);
        log.WriteLine($"zero-shot top-1: trained {learnt.ZeroShotTop1:F3} (enrichment {learnt.AttentionEnrichment:F2}), untrained {chance.ZeroShotTop1:F3} (enrichment {chance.AttentionEnrichment:F2})");

        chance.ZeroShotTop1.Should().BeLessThan(0.05, "an untrained CLIP is at chance, 1/72 ≈ 0.014");
        learnt.ZeroShotTop1.Should().BeGreaterThanOrEqualTo(0.1, "150 steps learn the colours, most sizes and some shapes of held-out images");
    }

    private static TeacherEvaluation Evaluate(ClipModel model, CaptionTokenizer tokenizer)
    {
        var vision = model.Config.Vision;
        using var heldOut = SyntheticImages.Create(PluginCatalog.Load([]), "test", HeldOutImages, dataSeed: 0, vision.NativeResolution, vision.PatchSize,
            RepositoryPaths.Root, Logger.None);
        return TeacherEvaluator.Evaluate(model, tokenizer, heldOut, "test");
    }
}
