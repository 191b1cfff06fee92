using System.ComponentModel.DataAnnotations;
using System.Composition.Hosting;
using Serilog.Core;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.Randomness;
using Umt.Plugins.Objectives.MaePixels;
using static TorchSharp.torch;

namespace Umt.Tests.Objectives;

/// <summary>
/// The <c>mae-pixels</c> objective, reached through its MEF export as the runner reaches it, on a
/// tiny student: 4 frames of 8², patch 4, tubelet 2 → a 2×2×2 grid (N = 8), 96 values per token.
/// </summary>
public sealed class MaePixelsTests
{
    private static readonly StudentSpec Student = new(Width: 16, Depth: 3, Heads: 2, Frames: 4, ImageSize: 8, PatchSize: 4, Tubelet: 2);

    // Five of eight tokens hidden per row, at different places in the two rows (true = hidden).
    private static readonly int[][] HiddenTokens = [[0, 2, 3, 5, 7], [1, 2, 4, 6, 7]];

    [Fact]
    public void Is_exported_as_mae_pixels_with_its_options_type()
    {
        var (factory, metadata) = Export();

        factory.OptionsType.Should().Be<MaePixelsOptions>();
        metadata.Description.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Defaults_are_the_videomae_base_decoder()
    {
        var options = new MaePixelsOptions();

        (options.DecoderWidth, options.DecoderDepth, options.DecoderHeads, options.NormalizeTarget).Should().Be((384, 4, 6, true));
        Validate(options).Should().BeEmpty();
    }

    [Fact]
    public void Rejects_a_width_that_the_heads_do_not_divide_naming_both_options()
    {
        var errors = Validate(new MaePixelsOptions { DecoderWidth = 100, DecoderHeads = 6 });

        errors.Should().ContainSingle().Which.MemberNames.Should().BeEquivalentTo("DecoderWidth", "DecoderHeads");
    }

    [Fact]
    public void Rejects_non_positive_sizes()
    {
        Validate(new MaePixelsOptions { DecoderHeads = 0 }).Should().ContainSingle().Which.MemberNames.Should().Equal("DecoderHeads");
        Validate(new MaePixelsOptions { DecoderDepth = 0 }).Should().ContainSingle().Which.MemberNames.Should().Equal("DecoderDepth");
        Validate(new MaePixelsOptions { DecoderWidth = -6 }).Should().ContainSingle().Which.MemberNames.Should().Equal("DecoderWidth");
    }

    [Fact]
    public void Reads_only_the_last_student_block_and_nothing_else()
    {
        var traits = Export().Factory.Describe(new MaePixelsOptions(), Plugin);

        traits.StudentBlocks.Should().Equal(Student.Depth - 1);
        traits.NeedsTeacher.Should().BeFalse();
        traits.TeacherLayers.Should().Be(0);
        traits.NeedsCaptions.Should().BeFalse();
        traits.NeedsTextEncoder.Should().BeFalse();
    }

    [Fact]
    public void Head_is_the_decoder_saved_under_mae_pixels()
    {
        using var objective = Create(new MaePixelsOptions { DecoderWidth = 12, DecoderDepth = 1, DecoderHeads = 2 });

        objective.CheckpointPrefix.Should().BeNull("the runner saves the head under the export name, mae-pixels");
        var names = objective.Head!.named_parameters().Select(p => p.name).ToList();
        // VideoMAE's checkpoint keys of the decoder half (modeling_pretrain.py).
        names.Should().Contain(["encoder_to_decoder.weight", "mask_token", "decoder.norm.weight", "decoder.head.weight", "decoder.head.bias"]);
        objective.Head.named_parameters().Single(p => p.name == "decoder.head.bias").parameter.shape.Should().Equal(Student.PixelsPerToken);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Loss_is_the_element_mean_squared_error_of_the_decoder_against_the_hidden_targets(bool normalizeTarget)
    {
        using var scope = NewDisposeScope();
        using var objective = Create(new MaePixelsOptions { DecoderWidth = 12, DecoderDepth = 1, DecoderHeads = 2, NormalizeTarget = normalizeTarget });
        objective.Head!.eval();
        var (context, video, visible) = Batch();

        var loss = objective.ComputeLoss(context); // []

        loss.shape.Should().BeEmpty();
        loss.dtype.Should().Be(ScalarType.Float32);
        loss.isfinite().item<bool>().Should().BeTrue("the loss must not read the NaN-filled blocks it did not ask for");
        // The same sum written out: decoder predictions vs the targets of each row's hidden tokens,
        // picked token by token in ascending order.
        var prediction = ((nn.Module<Tensor, TokenSelection, Tensor>)objective.Head).call(visible, context.Selection); // [B, Nm, 96]
        prediction.shape.Should().Equal(2, 5, Student.PixelsPerToken);
        var targets = PixelTargets.Compute(video, Student.Tubelet, Student.PatchSize, normalizeTarget); // [B, N, 96]
        var hidden = stack(HiddenTokens.Select((tokens, b) => targets[b].index_select(0, tensor(tokens.Select(t => (long)t).ToArray())))); // [B, Nm, 96]
        var expected = (prediction - hidden).pow(2).sum().item<float>() / (2 * 5 * Student.PixelsPerToken);
        loss.item<float>().Should().BeApproximately(expected, 1e-5f * expected);
    }

    [Fact]
    public void A_perfect_prediction_costs_nothing_and_an_error_costs_its_square_over_every_element()
    {
        // A grey clip at the ImageNet mean has raw targets (0.485, 0.456, 0.406) repeated with the
        // channel innermost. With every decoder weight zero the prediction is the head bias, so a
        // bias equal to that pattern predicts every hidden token exactly.
        using var scope = NewDisposeScope();
        using var objective = Create(new MaePixelsOptions { DecoderWidth = 12, DecoderDepth = 1, DecoderHeads = 2, NormalizeTarget = false });
        var bias = objective.Head!.named_parameters().Single(p => p.name == "decoder.head.bias").parameter; // [96]
        using (no_grad())
        {
            foreach (var parameter in objective.Head.parameters())
            {
                parameter.zero_();
            }
            bias.copy_(tensor(Enumerable.Range(0, Student.PixelsPerToken).Select(i => ImageNetNormalization.Mean[i % 3]).ToArray()));
        }
        var (context, _, _) = Batch(zeros([2, 3, 4, 8, 8])); // [B, 3, T, H, W]

        objective.ComputeLoss(context).item<float>().Should().BeApproximately(0f, 1e-12f);

        // Off by 0.5 in one of the 96 outputs of every hidden token: nn.MSELoss averages over all
        // B·Nm·96 elements, so the loss is 0.5² / 96 (not 0.5², as a per-token sum would give).
        using (no_grad())
        {
            bias[0].add_(0.5f);
        }
        objective.ComputeLoss(context).item<float>().Should().BeApproximately(0.25f / 96, 1e-7f);
    }

    [Fact]
    public void Backward_reaches_the_decoder_and_the_visible_tokens()
    {
        using var scope = NewDisposeScope();
        using var objective = Create(new MaePixelsOptions { DecoderWidth = 12, DecoderDepth = 1, DecoderHeads = 2 });
        var (context, _, visible) = Batch();

        objective.ComputeLoss(context).backward();

        visible.grad.Should().NotBeNull();
        visible.grad!.abs().sum().item<float>().Should().BeGreaterThan(0f);
        foreach (var (name, parameter) in objective.Head!.named_parameters())
        {
            parameter.grad.Should().NotBeNull($"{name} takes part in the loss");
            parameter.grad!.isfinite().all().item<bool>().Should().BeTrue($"{name} has a finite gradient");
        }
        foreach (var name in new[] { "encoder_to_decoder.weight", "mask_token", "decoder.head.weight" })
        {
            objective.Head.named_parameters().Single(p => p.name == name).parameter.grad!.abs().sum().item<float>()
                .Should().BeGreaterThan(0f, $"{name} shapes the prediction");
        }
    }

    /// <summary>
    /// A context of two clips with <see cref="HiddenTokens"/> hidden: the last block holds random
    /// visible tokens that require grad; every other block is NaN, so reading one shows in the loss.
    /// </summary>
    private static (ObjectiveContext Context, Tensor Video, Tensor Visible) Batch(Tensor? video = null)
    {
        using var generator = new Generator(42);
        video ??= randn([2, 3, 4, 8, 8], generator: generator); // [B, 3, T, H, W]
        var visible = randn([2, 3, Student.Width], generator: generator).requires_grad_(); // [B, Nv, D]
        var mask = zeros([2, 8], ScalarType.Bool); // [B, N]
        for (int b = 0; b < 2; b++)
        {
            foreach (int token in HiddenTokens[b])
            {
                mask[b, token] = tensor(true); // true = hidden
            }
        }
        var blocks = Enumerable.Range(0, Student.Depth).ToDictionary(
            block => block,
            block => block == Student.Depth - 1 ? visible : full([2, 3, Student.Width], float.NaN)); // [B, Nv, D]
        var context = new ObjectiveContext
        {
            Batch = new VideoBatch(video, new SampleKeys(Seed: 0, Step: 0, Indices: [0, 1]), []),
            Selection = TokenSelection.FromMask(mask),
            Grid = Student.Grid,
            StudentBlocks = blocks,
        };
        return (context, video, visible);
    }

    private static IObjective Create(MaePixelsOptions options) =>
        Export().Factory.Create(options, Plugin, teacherWidth: null);

    private static PluginContext Plugin => new(CPU, Seed: 0, Student, Logger.None, Path.GetTempPath());

    private static (IObjectiveFactory Factory, PluginMetadata Metadata) Export()
    {
        using var host = new ContainerConfiguration().WithAssembly(typeof(MaePixelsOptions).Assembly).CreateContainer();
        var export = host.GetExports<Lazy<IObjectiveFactory, PluginMetadata>>().Single(e => e.Metadata.Name == "mae-pixels");
        return (export.Value, export.Metadata);
    }

    private static List<ValidationResult> Validate(MaePixelsOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
