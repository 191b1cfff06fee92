using Umt.Models.Student;
using Umt.Models.Weights;
using Umt.Runner.Engine.Training;
using Umt.Runner.Workflows.Finetuning;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;

namespace Umt.Tests.Evaluation.Finetuning;

/// <summary>The fine-tune's optimizer groups, schedule and head against values derived by hand from the reference's rules.</summary>
public sealed class FinetuneOptimizationTests
{
    private static readonly StudentConfig TwoBlocks = StudentPresets.Get("tiny") with { Width = 16, Depth = 2, Heads = 2, Frames = 2, ImageSize = 16, PatchSize = 8, Tubelet = 1 };

    /// <summary>A classifier over a two-block student whose checkpoint is written and read back, as <c>umt finetune</c> does.</summary>
    private static VideoClassifier TwoBlockClassifier(TemporaryDirectory temp, int classes = 3, double initScale = 0.001)
    {
        string file = temp.Combine("model.safetensors");
        using (var student = new VideoVisionTransformer(TwoBlocks))
        {
            SafetensorsFile.Write(file, student.state_dict().ToDictionary(kv => TrainingModel.StudentPrefix + kv.Key, kv => kv.Value));
        }
        return VideoClassifier.FromCheckpoint(TwoBlocks, file, classes, headDropout: 0, initScale, CPU);
    }

    [Fact]
    public void Layer_decay_groups_match_the_reference_rules_for_a_two_block_student()
    {
        using var temp = new TemporaryDirectory();
        using var classifier = TwoBlockClassifier(temp);

        var groups = LayerDecay.Groups(classifier.NamedParameters(), depth: 2, decay: 0.5, weightDecay: 0.05);

        // run_class_finetuning.py: values = [0.5 ** (2 + 1 − i) for i in 0..3] = 0.125, 0.25, 0.5, 1;
        // get_num_layer_for_vit: patch_embed → 0, blocks.i → i + 1, anything else → 3;
        // get_parameter_groups: 1-D tensors and *.bias → no decay.
        string[] Block(int i, params string[] leaves) => [.. leaves.Select(l => $"encoder.blocks.{i}.{l}")];
        string[] blockDecay = ["attn.qkv.weight", "attn.proj.weight", "mlp.fc1.weight", "mlp.fc2.weight"];
        string[] blockNoDecay = ["norm1.weight", "norm1.bias", "attn.q_bias", "attn.v_bias", "attn.proj.bias", "norm2.weight", "norm2.bias", "mlp.fc1.bias", "mlp.fc2.bias"];
        var expected = new (int Layer, double Scale, double Decay, string[] Names)[]
        {
            (0, 0.125, 0.05, ["encoder.patch_embed.proj.weight"]),
            (0, 0.125, 0.0, ["encoder.patch_embed.proj.bias"]),
            (1, 0.25, 0.05, Block(0, blockDecay)),
            (1, 0.25, 0.0, Block(0, blockNoDecay)),
            (2, 0.5, 0.05, Block(1, blockDecay)),
            (2, 0.5, 0.0, Block(1, blockNoDecay)),
            (3, 1.0, 0.05, ["head.weight"]),
            (3, 1.0, 0.0, ["fc_norm.weight", "fc_norm.bias", "head.bias"]),
        };
        groups.Should().HaveCount(expected.Length);
        for (int g = 0; g < expected.Length; g++)
        {
            groups[g].LayerId.Should().Be(expected[g].Layer);
            groups[g].LrScale.Should().BeApproximately(expected[g].Scale, 1e-15);
            groups[g].WeightDecay.Should().Be(expected[g].Decay);
            groups[g].Names.Should().BeEquivalentTo(expected[g].Names, $"group {g} (layer {expected[g].Layer}, decay {expected[g].Decay})");
        }
        groups.SelectMany(g => g.Names).Should().NotContain(n => n.StartsWith("encoder.norm.", StringComparison.Ordinal),
            "the encoder's final norm is not on the fine-tuning path (the reference's norm is the identity under mean pooling)");
    }

    [Fact]
    public void Layer_ids_of_a_base_student_follow_get_num_layer_for_vit()
    {
        LayerDecay.LayerId("encoder.patch_embed.proj.weight", depth: 12).Should().Be(0);
        LayerDecay.LayerId("encoder.blocks.0.attn.qkv.weight", depth: 12).Should().Be(1);
        LayerDecay.LayerId("encoder.blocks.11.mlp.fc2.bias", depth: 12).Should().Be(12);
        LayerDecay.LayerId("head.weight", depth: 12).Should().Be(13);
        LayerDecay.Scale(0, depth: 12, decay: 0.75).Should().BeApproximately(0.0237573, 1e-7, "0.75^13");
        LayerDecay.Scale(13, depth: 12, decay: 0.75).Should().Be(1.0);
    }

    [Fact]
    public void Schedule_warms_up_linearly_then_follows_the_cosine_at_hand_computed_steps()
    {
        var settings = new FinetuneSettings(Lr: 1e-3, MinLr: 1e-5, Steps: 10, WarmupSteps: 3, BatchSize: 8);

        var schedule = settings.Schedule(trainClips: 100, baseBatch: 16);

        // Peak 1e-3·8/16 = 5e-4, floor 1e-5·8/16 = 5e-6, warm-up start (warmup_lr 1e-6)·8/16 = 5e-7.
        // Warm-up np.linspace(5e-7, 5e-4, 3) = 5e-7, 2.5025e-4, 5e-4 (run_class_finetuning.py passes
        // start_warmup_value=args.warmup_lr); then 5e-6 + ½(5e-4 − 5e-6)(1 + cos(π k / 7)) for k = step − 3:
        // k = 0 → 5e-4, k = 3 → cos(3π/7) = 0.2225209340 → 3.0757393e-4, k = 6 → cos(6π/7) = −0.9009688679 → 2.9510205e-5.
        double[] expected = [5e-7, 2.5025e-4, 5e-4, 5e-4, 3.0757393e-4, 2.9510205e-5];
        long[] steps = [0, 1, 2, 3, 6, 9];
        for (int i = 0; i < steps.Length; i++)
        {
            schedule.LearningRate(steps[i]).Should().BeApproximately(expected[i], 1e-11, $"step {steps[i]}");
        }
        schedule.TotalSteps.Should().Be(10);

        var byEpochs = new FinetuneSettings(Lr: 1e-3, Epochs: 2, BatchSize: 8).Schedule(trainClips: 100, baseBatch: 16);
        byEpochs.TotalSteps.Should().Be(24, "2 epochs of 100 / 8 = 12 full batches");
        byEpochs.WarmupSteps.Should().Be(4, "without a warm-up option the first 20 % warm up");
    }

    [Fact]
    public void Head_starts_as_the_reference_initialises_it_and_pools_without_the_pretraining_norm()
    {
        using var temp = new TemporaryDirectory();
        using var classifier = TwoBlockClassifier(temp, classes: 5, initScale: 0.001);
        using var scope = NewDisposeScope();
        var state = classifier.StateDict();

        state["head.bias"].abs().max().item<float>().Should().Be(0);
        double std = state["head.weight"].std().item<float>();
        std.Should().BeInRange(0.02 * 0.001 * 0.6, 0.02 * 0.001 * 1.4, "trunc-normal 0.02 times init_scale 0.001 (80 draws)");
        state["fc_norm.weight"].eq(1).all().item<bool>().Should().BeTrue();
        state.Keys.Should().Contain(["encoder.norm.weight", "encoder.blocks.1.mlp.fc2.weight", "fc_norm.bias", "head.weight"]);

        // The logits are the head on the mean of the last block's raw tokens (no encoder norm).
        classifier.Train(false);
        var video = randn([2, 3, 2, 16, 16], generator: new Generator(3));                            // [B, 3, T, H, W]
        using var noGrad = no_grad();
        var normed = classifier.Student.ForwardVisible(video, zeros([2, 8], ScalarType.Bool), [1], null)[1]; // [B, N, D], after the encoder norm
        var logits = classifier.Logits(video, null);                                                   // [B, 5]
        logits.shape.Should().Equal(2, 5);
        classifier.Head.call(normed.mean([1])).allclose(logits, rtol: 1e-3, atol: 1e-9).Should().BeFalse("the pretraining norm is left out of the fine-tuning path");
    }
}
