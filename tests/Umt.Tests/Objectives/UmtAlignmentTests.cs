using System.Composition.Hosting;
using Serilog.Core;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.Randomness;
using Umt.Abstractions.Teachers;
using Umt.Abstractions.TextEncoders;
using Umt.Plugins.Objectives.UmtAlignment;
using static TorchSharp.torch;

namespace Umt.Tests.Objectives;

/// <summary>
/// The <c>umt-alignment</c> objective, reached through its MEF export as the runner reaches it:
/// loss = mean over (K, B, visible tokens) of 2 − 2⟨z, t⟩ with
/// z = normalize(LayerNorm_1e-6(Linear(block + sincos[visible]))), checked on cases whose value
/// is worked out here by hand or in float64.
/// </summary>
public sealed class UmtAlignmentTests
{
    [Fact]
    public void Is_exported_as_umt_alignment_with_its_options_type()
    {
        var (factory, metadata) = Export();

        factory.OptionsType.Should().Be<UmtAlignmentOptions>();
        metadata.Description.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Aligns_the_last_k_blocks_and_defaults_to_six_on_b16()
    {
        var factory = Export().Factory;
        var b16 = new StudentSpec(Width: 768, Depth: 12, Heads: 12, Frames: 8, ImageSize: 224, PatchSize: 16, Tubelet: 1);

        var byDefault = factory.Describe(new UmtAlignmentOptions(), Plugin(b16));
        var two = factory.Describe(new UmtAlignmentOptions { Layers = 2 }, Plugin(b16 with { Depth = 3 }));

        byDefault.StudentBlocks.Should().Equal(6, 7, 8, 9, 10, 11);
        byDefault.TeacherLayers.Should().Be(6);
        byDefault.NeedsTeacher.Should().BeTrue();
        byDefault.TeacherLayersOption.Should().Be("Layers");
        two.StudentBlocks.Should().Equal(1, 2);
        two.TeacherLayers.Should().Be(2);
    }

    [Fact]
    public void Loss_of_a_hand_set_head_on_one_visible_token_is_two_minus_twice_the_cosine()
    {
        // K = 1, B = 1, N = 2 (2 frames of one patch), D = 4, C = 3; token 0 hidden, token 1 visible.
        using var scope = NewDisposeScope();
        var student = new StudentSpec(Width: 4, Depth: 2, Heads: 1, Frames: 2, ImageSize: 4, PatchSize: 4, Tubelet: 1);
        using var objective = Create(student, layers: 1, teacherWidth: 3);
        double[,] w = { { 1, 0, 0, 0 }, { 0, 1, 0.5, 0 }, { 0, 0, 0, -1 } };
        double[] b = [0.1, -0.2, 0.3], gamma = [1.5, -0.5, 2], beta = [0.2, 0.1, -0.3];
        SetHead(objective, 0, w, b, gamma, beta);
        double[] x = [0.5, -1, 2, 0];                 // block 1's output at the visible token
        double[] t = [1.0 / 3, 2.0 / 3, -2.0 / 3];    // the teacher's unit target there
        var context = Context(
            student,
            hidden: new[,] { { true, false } },
            blocks: new() { [0] = full(1, 1, 4, float.NaN), [1] = Floats(x).reshape(1, 1, 4) },
            teacher: stack([Floats([float.NaN, float.NaN, float.NaN]), Floats(t)]).reshape(1, 1, 2, 3)); // [K, B, N, C]

        var loss = objective.ComputeLoss(context);

        // By hand: position 1 of the width-4 sin-cos table is (sin 1, cos 1, sin 0.01, cos 0.01)
        // (10000^(2/4) = 100); u = W(x + pe) + b; LayerNorm (biased variance, eps 1e-6); L2 normalise.
        double[] pe = [Math.Sin(1), Math.Cos(1), Math.Sin(0.01), Math.Cos(0.01)];
        var z = Predict(w, b, gamma, beta, x.Select((v, i) => v + pe[i]).ToArray());
        double expected = 2 - 2 * z.Zip(t, (p, q) => p * q).Sum();
        loss.shape.Should().BeEmpty();
        loss.item<float>().Should().BeApproximately((float)expected, 1e-6f);
        expected.Should().BeInRange(0.1, 3.9, "the case is not a degenerate 0 or 4");
    }

    [Fact]
    public void Stage1_head_layer_norm_uses_epsilon_1e_minus_6()
    {
        // A zero Linear weight makes u the bias (0, 1, 2)·1e-3, whose variance 6.7e-7 is of the order
        // of epsilon: LayerNorm gives (∓0.775, 0) with eps 1e-6 but (∓0.306, 0) with torch's default 1e-5.
        using var scope = NewDisposeScope();
        var student = new StudentSpec(Width: 4, Depth: 2, Heads: 1, Frames: 2, ImageSize: 4, PatchSize: 4, Tubelet: 1);
        using var objective = Create(student, layers: 1, teacherWidth: 3);
        double[] b = [0, 1e-3, 2e-3], gamma = [1, 1, 1], beta = [0, 1, 0];
        SetHead(objective, 0, new double[3, 4], b, gamma, beta);
        var context = Context(
            student,
            hidden: new[,] { { false, true } },
            blocks: new() { [1] = randn(1, 1, 4) },
            teacher: Floats([0, 1, 0, 0, 1, 0]).reshape(1, 1, 2, 3));

        var loss = objective.ComputeLoss(context);

        // mean 1e-3, biased variance 2e-6/3; normalised u = (−n, 0, n); y = gamma·that + beta = (−n, 1, n).
        double n = 1e-3 / Math.Sqrt(2e-6 / 3 + 1e-6);                  // ≈ 0.7746
        double expected = 2 - 2 * (1 / Math.Sqrt(1 + 2 * n * n));       // t = (0, 1, 0)
        double withTorchDefault = 2 - 2 * (1 / Math.Sqrt(1 + 2 * 1e-6 / (2e-6 / 3 + 1e-5)));
        loss.item<float>().Should().BeApproximately((float)expected, 1e-5f);
        Math.Abs(expected - withTorchDefault).Should().BeGreaterThan(0.3, "the case tells the two epsilons apart");
    }

    [Fact]
    public void Stage2_head_layer_norm_uses_torch_default_epsilon_1e_minus_5()
    {
        // The case of Stage1_head_layer_norm_uses_epsilon_1e_minus_6, in a run with a text encoder: the
        // stage-2 heads are multi_modality's Linear_Decoder, whose norm is nn.LayerNorm(C) (eps 1e-5).
        using var scope = NewDisposeScope();
        var student = new StudentSpec(Width: 4, Depth: 2, Heads: 1, Frames: 2, ImageSize: 4, PatchSize: 4, Tubelet: 1);
        using var objective = Create(student, layers: 1, teacherWidth: 3, new TextEncoderTraits(Width: 8, Layers: 2, FusionLayer: 1, VocabSize: 16, MaxLength: 8));
        double[] b = [0, 1e-3, 2e-3], gamma = [1, 1, 1], beta = [0, 1, 0];
        SetHead(objective, 0, new double[3, 4], b, gamma, beta);
        var context = Context(
            student,
            hidden: new[,] { { false, true } },
            blocks: new() { [1] = randn(1, 1, 4) },
            teacher: Floats([0, 1, 0, 0, 1, 0]).reshape(1, 1, 2, 3));

        var loss = objective.ComputeLoss(context);

        double n = 1e-3 / Math.Sqrt(2e-6 / 3 + 1e-5);                  // ≈ 0.306
        double expected = 2 - 2 * (1 / Math.Sqrt(1 + 2 * n * n));       // t = (0, 1, 0)
        loss.item<float>().Should().BeApproximately((float)expected, 1e-5f);
    }

    [Theory]
    [InlineData(24, 6)]  // L/16: clip_return_layer = 6 in multi_modality/exp/pretraining/l16_*.py
    [InlineData(12, 6)]  // B/16
    [InlineData(8, 4)]   // below 12 blocks: half the depth
    [InlineData(1, 1)]
    public void Default_layers_are_the_published_six_from_twelve_blocks_and_half_the_depth_below(int depth, int expected)
    {
        var student = new StudentSpec(Width: 64, Depth: depth, Heads: 1, Frames: 4, ImageSize: 16, PatchSize: 8, Tubelet: 1);

        var traits = Export().Factory.Describe(new UmtAlignmentOptions(), Plugin(student));

        traits.TeacherLayers.Should().Be(expected);
        traits.StudentBlocks.Should().Equal(Enumerable.Range(depth - expected, expected));
    }

    [Fact]
    public void Loss_is_zero_for_equal_four_for_opposite_and_two_for_orthogonal_targets()
    {
        // With the Linear and the LayerNorm weight zero, layer k predicts normalize(beta_k) at
        // every token: (0.6, 0, 0.8) for k = 0 and (0, −1, 0) for k = 1.
        using var scope = NewDisposeScope();
        var (objective, student) = TwoLayerObjective();
        using var disposeObjective = objective;
        float[][] z = [[0.6f, 0, 0.8f], [0, -1, 0]];
        float[][] orthogonal = [[0.8f, 0, -0.6f], [1, 0, 0]];

        Loss(objective, student, (k, _, _) => z[k]).Should().BeApproximately(0f, 1e-6f);
        Loss(objective, student, (k, _, _) => z[k].Select(v => -v).ToArray()).Should().BeApproximately(4f, 1e-5f);
        Loss(objective, student, (k, _, _) => orthogonal[k]).Should().BeApproximately(2f, 1e-5f);
    }

    [Fact]
    public void Loss_averages_over_layers_clips_and_visible_tokens_and_sums_over_channels()
    {
        // K·B·Nv = 2·2·2 = 8 visible predictions; one of them opposite to its target costs 4, the
        // rest 0, so the mean is 4/8 = 0.5 (a mean over the 3 channels too would give 0.5/3).
        using var scope = NewDisposeScope();
        var (objective, student) = TwoLayerObjective();
        using var disposeObjective = objective;
        float[][] z = [[0.6f, 0, 0.8f], [0, -1, 0]];

        float oneOpposite = Loss(objective, student, (k, b, n) => k == 1 && b == 1 && n == 2 ? z[k].Select(v => -v).ToArray() : z[k]);
        float hiddenOpposite = Loss(objective, student, (k, b, n) => k == 1 && b == 1 && n == 1 ? z[k].Select(v => -v).ToArray() : z[k]);

        oneOpposite.Should().BeApproximately(0.5f, 1e-5f);
        hiddenOpposite.Should().BeApproximately(0f, 1e-6f, "token 1 of clip 1 is hidden and costs nothing");
    }

    [Fact]
    public void Backward_reaches_every_head_and_the_aligned_student_blocks()
    {
        using var scope = NewDisposeScope();
        var student = new StudentSpec(Width: 4, Depth: 3, Heads: 1, Frames: 4, ImageSize: 4, PatchSize: 4, Tubelet: 1);
        using var objective = Create(student, layers: 2, teacherWidth: 3);
        var block1 = randn(2, 2, 4).requires_grad_();
        var block2 = randn(2, 2, 4).requires_grad_();
        var context = Context(
            student,
            hidden: new[,] { { true, false, true, false }, { false, true, false, true } },
            blocks: new() { [0] = full(2, 2, 4, float.NaN), [1] = block1, [2] = block2 },
            teacher: nn.functional.normalize(randn(2, 2, 4, 3), dim: -1));

        objective.ComputeLoss(context).backward();

        block1.grad!.abs().sum().item<float>().Should().BeGreaterThan(0f);
        block2.grad!.abs().sum().item<float>().Should().BeGreaterThan(0f);
        foreach (var (name, parameter) in objective.Head!.named_parameters())
        {
            parameter.grad.Should().NotBeNull(name);
            parameter.grad!.abs().sum().item<float>().Should().BeGreaterThan(0f, name);
        }
    }

    [Fact]
    public void Checkpoint_keys_are_the_reference_clip_decoder_keys_and_the_position_table_is_not_one()
    {
        using var scope = NewDisposeScope();
        var student = new StudentSpec(Width: 4, Depth: 3, Heads: 1, Frames: 4, ImageSize: 4, PatchSize: 4, Tubelet: 1);
        using var objective = Create(student, layers: 2, teacherWidth: 3);

        var state = objective.Head!.state_dict();
        var keys = state.Keys.Select(k => objective.CheckpointPrefix + "." + k);

        objective.CheckpointPrefix.Should().Be("clip_decoder");
        keys.Should().BeEquivalentTo(
            "clip_decoder.0.head.weight", "clip_decoder.0.head.bias", "clip_decoder.0.norm.weight", "clip_decoder.0.norm.bias",
            "clip_decoder.1.head.weight", "clip_decoder.1.head.bias", "clip_decoder.1.norm.weight", "clip_decoder.1.norm.bias");
        state["0.head.weight"].shape.Should().Equal(3, 4);
        state["1.norm.bias"].shape.Should().Equal(3);
        objective.Head.named_parameters().Select(p => p.name).Should().BeEquivalentTo(state.Keys, "the sin-cos table is not trained");
    }

    /// <summary>
    /// K = 2 on a depth-3 student (blocks 1 and 2), B = 2, N = 4 (4 frames of one patch), Nv = 2;
    /// head k predicts normalize(beta_k) everywhere: Linear weight and LayerNorm weight are zero.
    /// </summary>
    private static (IObjective Objective, StudentSpec Student) TwoLayerObjective()
    {
        var student = new StudentSpec(Width: 4, Depth: 3, Heads: 1, Frames: 4, ImageSize: 4, PatchSize: 4, Tubelet: 1);
        var objective = Create(student, layers: 2, teacherWidth: 3);
        SetHead(objective, 0, new double[3, 4], [0.5, -1, 2], [0, 0, 0], [3, 0, 4]);
        SetHead(objective, 1, new double[3, 4], [1, 2, 3], [0, 0, 0], [0, -2, 0]);
        return (objective, student);
    }

    /// <summary>
    /// The loss of <see cref="TwoLayerObjective"/> with rows hiding tokens {0, 2} and {1, 3}; the
    /// teacher's token (k, b, n) is <paramref name="target"/> where visible, NaN where hidden
    /// unless the caller sets it. Block 0, which no head reads, is NaN.
    /// </summary>
    private static float Loss(IObjective objective, StudentSpec student, Func<int, int, int, float[]> target)
    {
        bool[,] hidden = { { true, false, true, false }, { false, true, false, true } };
        var teacher = new float[2 * 2 * 4 * 3];
        for (int k = 0; k < 2; k++)
        {
            for (int b = 0; b < 2; b++)
            {
                for (int n = 0; n < 4; n++)
                {
                    var value = target(k, b, n);
                    bool nanHere = hidden[b, n] && !(k == 1 && b == 1 && n == 1);
                    for (int c = 0; c < 3; c++)
                    {
                        teacher[((k * 2 + b) * 4 + n) * 3 + c] = nanHere ? float.NaN : value[c];
                    }
                }
            }
        }
        using var generator = new Generator(21);
        var context = Context(
            student,
            hidden,
            blocks: new() { [0] = full(2, 2, 4, float.NaN), [1] = randn([2, 2, 4], generator: generator), [2] = randn([2, 2, 4], generator: generator) },
            teacher: tensor(teacher).reshape(2, 2, 4, 3));
        return objective.ComputeLoss(context).item<float>();
    }

    /// <summary>z = normalize(gamma ⊙ (u − mean)/√(var + 1e-6) + beta), u = W v + b, in float64.</summary>
    private static double[] Predict(double[,] w, double[] b, double[] gamma, double[] beta, double[] v)
    {
        var u = b.Select((bias, o) => bias + Enumerable.Range(0, v.Length).Sum(i => w[o, i] * v[i])).ToArray();
        double mean = u.Average();
        double variance = u.Select(e => (e - mean) * (e - mean)).Average();
        var y = u.Select((e, o) => gamma[o] * (e - mean) / Math.Sqrt(variance + 1e-6) + beta[o]).ToArray();
        double length = Math.Sqrt(y.Sum(e => e * e));
        return y.Select(e => e / length).ToArray();
    }

    private static void SetHead(IObjective objective, int k, double[,] weight, double[] bias, double[] gamma, double[] beta)
    {
        var state = objective.Head!.state_dict();
        using (no_grad())
        {
            state[$"{k}.head.weight"].copy_(tensor(weight.Cast<double>().Select(v => (float)v).ToArray()).reshape(weight.GetLength(0), weight.GetLength(1)));
            state[$"{k}.head.bias"].copy_(Floats(bias));
            state[$"{k}.norm.weight"].copy_(Floats(gamma));
            state[$"{k}.norm.bias"].copy_(Floats(beta));
        }
    }

    private static Tensor Floats(double[] values) => tensor(values.Select(v => (float)v).ToArray());

    private static ObjectiveContext Context(StudentSpec student, bool[,] hidden, Dictionary<int, Tensor> blocks, Tensor teacher)
    {
        int batch = hidden.GetLength(0);
        var mask = tensor(hidden.Cast<bool>().ToArray()).reshape(batch, hidden.GetLength(1)); // [B, N], true = hidden
        return new ObjectiveContext
        {
            Batch = new VideoBatch(zeros([batch, 3, student.Frames, student.ImageSize, student.ImageSize]), new SampleKeys(Seed: 0, Step: 0, Indices: [.. Enumerable.Range(0, batch).Select(i => (long)i)]), []),
            Selection = TokenSelection.FromMask(mask),
            Grid = student.Grid,
            StudentBlocks = blocks,
            Teacher = new TeacherOutput(teacher, null),
        };
    }

    /// <param name="textEncoder">The run's text encoder: present in stage 2.</param>
    private static IObjective Create(StudentSpec student, int layers, int teacherWidth, TextEncoderTraits? textEncoder = null) =>
        Export().Factory.Create(
            new UmtAlignmentOptions { Layers = layers },
            Plugin(student) with { TextEncoder = textEncoder },
            teacherWidth);

    private static PluginContext Plugin(StudentSpec student) => new(CPU, Seed: 0, student, Logger.None, Path.GetTempPath());

    private static (IObjectiveFactory Factory, PluginMetadata Metadata) Export()
    {
        using var host = new ContainerConfiguration().WithAssembly(typeof(UmtAlignmentOptions).Assembly).CreateContainer();
        var export = host.GetExports<Lazy<IObjectiveFactory, PluginMetadata>>().Single(e => e.Metadata.Name == "umt-alignment");
        return (export.Value, export.Metadata);
    }
}
