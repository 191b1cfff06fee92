using Umt.Models.Student;
using Umt.Runner.Workflows.Finetuning;
using static TorchSharp.torch;

namespace Umt.Tests.Evaluation.Finetuning;

/// <summary>The detection model: one row of action logits per box, each from its own clip's map.</summary>
public sealed class ActionDetectorTests
{
    private static readonly StudentConfig TwoBlocks = StudentPresets.Get("tiny") with { Width = 16, Depth = 2, Heads = 2, Frames = 2, ImageSize = 32, PatchSize = 8, Tubelet = 1 };

    [Fact]
    public void Each_box_gets_one_logit_per_action_from_its_own_clip()
    {
        manual_seed(3);
        using var detector = ActionDetector.FromCheckpoint(TwoBlocks, modelFile: "", classes: 5, headDropout: 0, initScale: 1, CPU, pretrainedGrid: null, pretrained: false);
        detector.Train(false);
        using var scope = NewDisposeScope();
        var video = randn([2, 3, 2, 32, 32]);                                                             // [2, 3, T, H, W]
        var boxes = tensor(new float[] { 0, 0.1f, 0.1f, 0.6f, 0.9f, 1, 0.1f, 0.1f, 0.6f, 0.9f, 1, 0.5f, 0.0f, 1f, 0.5f }, [3, 5]); // [K, 5]: clip, x1, y1, x2, y2

        var logits = detector.Logits(video, boxes, null);                                                // [3, 5]

        logits.shape.Should().Equal([3, 5]);
        // The same box on the two clips differs (different pixels); changing clip 0 leaves clip 1's boxes alone.
        (logits[0] - logits[1]).abs().max().item<float>().Should().BeGreaterThan(1e-4f);
        var changed = video.clone();
        changed[0].add_(1.0);
        var again = detector.Logits(changed, boxes, null);                                               // [3, 5]
        (again[0] - logits[0]).abs().max().item<float>().Should().BeGreaterThan(1e-4f);
        again.narrow(0, 1, 2).allclose(logits.narrow(0, 1, 2), rtol: 0, atol: 1e-6).Should().BeTrue("boxes of clip 1 read clip 1's map only");
        // A clip alone in its batch gives its boxes the same logits as in the pair.
        var alone = detector.Logits(video.narrow(0, 1, 1), tensor(new float[] { 0, 0.1f, 0.1f, 0.6f, 0.9f, 0, 0.5f, 0.0f, 1f, 0.5f }, [2, 5]), null); // [2, 5]
        alone.allclose(logits.narrow(0, 1, 2), rtol: 0, atol: 1e-5).Should().BeTrue();
    }

    [Fact]
    public void The_checkpoint_keys_are_the_students_under_encoder_and_the_head_at_the_top_level()
    {
        using var detector = ActionDetector.FromCheckpoint(TwoBlocks, modelFile: "", classes: 5, headDropout: 0.5, initScale: 0.001, CPU, pretrainedGrid: null, pretrained: false);
        using var scope = NewDisposeScope();
        var keys = detector.StateDict().Keys;

        keys.Should().Contain(["encoder.blocks.1.mlp.fc2.weight", "encoder.norm.weight", "head.weight", "head.bias"]).And.HaveCount(keys.Count(k => k.StartsWith("encoder.", StringComparison.Ordinal)) + 2);
        detector.NamedParameters().Select(p => p.Name).Should().Contain("encoder.norm.weight", "the reference's detection path ends in the encoder's norm, so it trains");
        var state = detector.StateDict();
        state["head.bias"].abs().max().item<float>().Should().Be(0f);
        state["head.weight"].std().item<float>().Should().BeInRange(0.7f * 0.02f * 0.001f, 1.3f * 0.02f * 0.001f, "80 draws of std 0.02 times init_scale 0.001");
    }
}
