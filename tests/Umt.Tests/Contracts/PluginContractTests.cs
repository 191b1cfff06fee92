using Serilog.Core;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.Randomness;
using Umt.Abstractions.Teachers;
using Umt.Abstractions.TextEncoders;
using Umt.Models.Student;
using Umt.Models.VisionLanguage;
using Umt.Plugins.Datasets.MediaDatasets;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Step;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;

namespace Umt.Tests.Contracts;

/// <summary>
/// One contract test per plugin kind, run over every plugin MEF discovers (timm's test_models.py
/// idea): a new plugin is covered the moment it is exported, with no per-plugin test code.
/// </summary>
public sealed class PluginContractTests
{
    private static readonly PluginCatalog Catalog = PluginCatalog.Load([]);

    // A small student: 4 frames of 16², patch 4 → 4 × 4 × 4 = 64 tokens.
    private static readonly StudentSpec Student = new(Width: 32, Depth: 2, Heads: 2, Frames: 4, ImageSize: 16, PatchSize: 4, Tubelet: 1);

    // Datasets render real frames: 4 frames of 32² (the smallest size synthetic objects fit in).
    private static readonly StudentSpec DatasetStudent = Student with { ImageSize = 32, PatchSize = 8 };

    private static PluginContext Context => new(CPU, 0, Student, Logger.None, RepositoryPaths.Root);

    public static TheoryData<string> MaskingPlugins => Names(PluginKind.Masking);

    public static TheoryData<string> ObjectivePlugins => Names(PluginKind.Objective);

    public static TheoryData<string> DatasetPlugins => Names(PluginKind.Dataset);

    public static TheoryData<string> TextEncoderPlugins => Names(PluginKind.TextEncoder);

    private static TheoryData<string> Names(PluginKind kind) => new(Catalog.Of(kind).Select(e => e.Name));

    private static (TFactory Factory, object Options) Defaults<TFactory>(PluginKind kind, string name)
    {
        var factory = (TFactory)Catalog.Find(kind, name)!.Factory;
        var options = Activator.CreateInstance(((IPluginFactory)factory!).OptionsType)!;
        if (options is MediaDatasetOptions media)
        {
            // A dataset of files has no usable default manifest: point it at real files of its format.
            (media.Manifest, media.Root) = (MediaCorpus.Value.Manifest(name), MediaCorpus.Value.Root);
        }
        return (factory, options);
    }

    /// <summary>SyntheticActions written as .mp4/.jpg files once per test run, with a manifest per real-data plugin.</summary>
    private static readonly Lazy<ContractMediaCorpus> MediaCorpus = new(() => new ContractMediaCorpus());

    /// <summary>A masking plugin with its default options, as the runner would create it.</summary>
    private static (MaskingTraits Traits, IMaskingStrategy Strategy, object Options) Masking(string name)
    {
        var (factory, options) = Defaults<IMaskingStrategyFactory>(PluginKind.Masking, name);
        return (factory.Describe(options), factory.Create(options, Context), options);
    }

    /// <summary>Head-averaged-softmax-like attention rows [B·T, P] for strategies that read it.</summary>
    private static Tensor Attention(int batch) => softmax(randn(batch * Student.Grid.T, Student.Grid.PerSlot, generator: new Generator(5)), 1);

    [Theory, MemberData(nameof(MaskingPlugins))]
    public void Masking_returns_a_bool_mask_with_equal_visible_count_per_row(string name)
    {
        using var scope = NewDisposeScope();
        var (traits, strategy, options) = Masking(name);
        var keys = new SampleKeys(7, 3, [10, 11, 12, 13]);
        var attention = traits.NeedsTeacherAttention ? Attention(4) : null;

        var mask = strategy.CreateMask(new MaskingInput(Student.Grid, keys, CPU, attention));

        mask.dtype.Should().Be(ScalarType.Bool);
        mask.shape.Should().Equal(4, Student.Grid.Count);
        mask.device_type.Should().Be(TorchSharp.DeviceType.CPU);
        var visible = (~mask).sum(1).data<long>().ToArray();
        visible.Should().AllBeEquivalentTo((long)traits.VisiblePerClip(Student.Grid), "every row keeps the same number of visible tokens");
        visible[0].Should().BeInRange(1, Student.Grid.Count - 1, "the default ratio hides some tokens and keeps some");
        if (options.GetType().GetProperty("Ratio")?.GetValue(options) is double ratio)
        {
            double hidden = 1 - visible[0] / (double)Student.Grid.Count;
            hidden.Should().BeApproximately(ratio, 1.0 / Student.Grid.PerSlot, "the hidden share honours the configured ratio up to rounding per slot");
        }
    }

    [Theory, MemberData(nameof(MaskingPlugins))]
    public void Masking_is_reproducible_and_independent_of_how_the_batch_is_split(string name)
    {
        using var scope = NewDisposeScope();
        var (traits, strategy, _) = Masking(name);
        var keys = new SampleKeys(7, 3, [10, 11, 12, 13]);
        var attention = traits.NeedsTeacherAttention ? Attention(4) : null;
        Tensor? Rows(Tensor? a, int start, int count) => a?.narrow(0, start * Student.Grid.T, count * Student.Grid.T);

        var whole = strategy.CreateMask(new MaskingInput(Student.Grid, keys, CPU, attention));
        var again = strategy.CreateMask(new MaskingInput(Student.Grid, keys, CPU, attention));
        var first = strategy.CreateMask(new MaskingInput(Student.Grid, keys.Slice(0, 2), CPU, Rows(attention, 0, 2)));
        var second = strategy.CreateMask(new MaskingInput(Student.Grid, keys.Slice(2, 2), CPU, Rows(attention, 2, 2)));
        var nextStep = strategy.CreateMask(new MaskingInput(Student.Grid, keys with { Step = 4 }, CPU, attention));

        again.equal(whole).all().item<bool>().Should().BeTrue("the same keys give the same mask");
        cat([first, second], 0).equal(whole).all().item<bool>().Should().BeTrue("a sample's mask depends on its key, not on its batch");
        nextStep.equal(whole).all().item<bool>().Should().BeFalse("another step draws another mask");
    }

    [Theory, MemberData(nameof(ObjectivePlugins))]
    public void Objective_returns_a_finite_scalar_that_backpropagates_to_the_student(string name)
    {
        using var scope = NewDisposeScope();
        var (factory, options) = Defaults<IObjectiveFactory>(PluginKind.Objective, name);
        var traits = factory.Describe(options, Student);
        traits.NeedsCaptions.Should().Be(traits.NeedsTextEncoder, "the caption objectives are the text encoder's users");
        manual_seed(0);
        using var student = new VideoVisionTransformer(new StudentConfig { Width = 32, Depth = 2, Heads = 2, Frames = 4, ImageSize = 16, PatchSize = 4, Tubelet = 1 });
        const int teacherWidth = 24;
        using var textEncoder = traits.NeedsTextEncoder ? CaptionEncoder() : null;
        var context = Context with { TextEncoder = textEncoder?.Traits };
        using var objective = factory.Create(options, context, traits.NeedsTeacher ? teacherWidth : null);
        var video = randn([4, 3, 4, 16, 16]);                                                        // [B, 3, T, H, W]
        var mask = rand(4, Student.Grid.Count, generator: new Generator(3)).argsort(1).argsort(1) < 40; // [B, N], 40 hidden per row
        var teacher = traits.NeedsTeacher
            ? new TeacherOutput(nn.functional.normalize(randn(traits.TeacherLayers, 4, Student.Grid.Count, teacherWidth), dim: -1), Attention(4))
            : null;
        var blocks = student.ForwardVisible(video, TokenSelection.FromMask(mask), traits.StudentBlocks, null);
        // Two captions, each twice: every row has a positive besides itself and negatives to draw.
        string[] captions = ["a small red circle moves to the left", "a large blue square spins", "a small red circle moves to the left", "a large blue square spins"];
        var batch = new VideoBatch(video, new SampleKeys(0, 0, [0, 1, 2, 3]), [.. captions.Select(c => new VideoSample([], new Dictionary<string, int>(), c))]);
        using var heads = textEncoder is null ? null : new VisionLanguageHeads(Student.Width, textEncoder.Traits.Width, 16, 0.07);
        var shared = textEncoder is null ? null : VisionLanguageStep.Encode(textEncoder, heads!, batch, blocks[Student.Depth - 1], Student.Grid, CPU);

        var loss = objective.ComputeLoss(new ObjectiveContext { Batch = batch, Selection = TokenSelection.FromMask(mask), Grid = Student.Grid, StudentBlocks = blocks, Teacher = teacher, VisionLanguage = shared });
        loss.backward();

        loss.dim().Should().Be(0);
        double.IsFinite(loss.item<float>()).Should().BeTrue();
        student.parameters().Any(p => p.grad is { } g && g.abs().sum().item<float>() > 0).Should().BeTrue("the loss reaches the student");
        if (objective.Head is { } head)
        {
            head.parameters().Any(p => p.grad is { } g && g.abs().sum().item<float>() > 0).Should().BeTrue("the objective's own head is trained");
        }
        if (textEncoder is not null)
        {
            textEncoder.Module.parameters().Any(p => p.grad is { } g && g.abs().sum().item<float>() > 0).Should().BeTrue("a caption objective trains the text encoder");
        }
    }

    /// <summary>The text encoder the caption objectives run with: the first discovered plugin with its defaults.</summary>
    private static ITextEncoder CaptionEncoder()
    {
        var (factory, options) = Defaults<ITextEncoderFactory>(PluginKind.TextEncoder, Catalog.Of(PluginKind.TextEncoder).Select(e => e.Name).Order(StringComparer.Ordinal).Last());
        return factory.Create(options, Context);
    }

    [Theory, MemberData(nameof(DatasetPlugins))]
    public void Dataset_returns_samples_of_the_declared_shape_and_labels(string name)
    {
        var (factory, options) = Defaults<IVideoDatasetFactory>(PluginKind.Dataset, name);
        var context = Context with { Student = DatasetStudent };
        var info = factory.Describe(options, context);
        using var dataset = factory.Create(options, context);

        dataset.Info.Should().BeEquivalentTo(info, "Describe promises what Create delivers");
        info.Frames.Should().BeInRange(1, DatasetStudent.Frames, "a sample is a clip of the run's frames or a single image");
        foreach (long index in new[] { 0L, info.Count - 1 })
        {
            var sample = dataset.Read(index, augmentationKey: 42);
            sample.Pixels.Should().HaveCount(3 * info.Frames * DatasetStudent.ImageSize * DatasetStudent.ImageSize, "pixels are [3, T, H, W] of the declared frames and the run's size");
            sample.Pixels.Should().OnlyContain(v => float.IsFinite(v));
            sample.Labels.Keys.Should().BeEquivalentTo(info.LabelSets.Keys);
            foreach (var (set, label) in sample.Labels)
            {
                label.Should().BeInRange(0, info.LabelSets[set] - 1);
            }
            if (info.HasCaptions)
            {
                sample.Caption.Should().NotBeNullOrWhiteSpace();
            }
            if (info.HasBoxes)
            {
                sample.Boxes.Should().HaveCount(info.Frames * 4).And.OnlyContain(v => v >= 0 && v <= 1);
            }
        }
    }

    [Theory, MemberData(nameof(TextEncoderPlugins))]
    public void Text_encoder_tokenizes_encodes_fuses_and_predicts_tokens_of_the_declared_sizes(string name)
    {
        using var scope = NewDisposeScope();
        var (factory, options) = Defaults<ITextEncoderFactory>(PluginKind.TextEncoder, name);
        var traits = factory.Describe(options, Context);
        using var encoder = factory.Create(options, Context);
        var tokenizer = encoder.Tokenizer;

        encoder.Traits.Should().Be(traits, "Describe promises what Create delivers");
        traits.FusionLayer.Should().BeInRange(0, traits.Layers);
        var text = tokenizer.Encode(["a small red circle moves to the left", "a large blue square"], CPU);
        text.InputIds.shape.Should().Equal(2, traits.MaxLength);
        text.InputIds[.., 0].data<long>().ToArray().Should().OnlyContain(id => id == tokenizer.ClsId, "every caption starts with [CLS]");
        var ids = text.InputIds.data<long>().ToArray();
        var mask = text.AttentionMask.data<long>().ToArray();
        ids.Where((_, i) => mask[i] == 0).Should().OnlyContain(id => id == tokenizer.PadId, "padding is [PAD]");
        ids.Should().OnlyContain(id => id >= 0 && id < tokenizer.VocabSize);

        var hidden = encoder.EncodeText(text);                                                       // [B, L, W]
        var vision = randn(2, 5, Student.Width).requires_grad_();                                    // [B, N, D]
        var fused = encoder.Fuse(hidden, text.AttentionMask, vision);                                 // [B, L, W]
        var logits = encoder.MlmLogits(fused);                                                        // [B, L, V]
        logits.pow(2).mean().backward();

        hidden.shape.Should().Equal(2, traits.MaxLength, traits.Width);
        fused.shape.Should().Equal(2, traits.MaxLength, traits.Width);
        logits.shape.Should().Equal(2, traits.MaxLength, traits.VocabSize);
        vision.grad!.abs().sum().item<float>().Should().BeGreaterThan(0, "the fusion layers attend to the vision tokens");
        encoder.Module.parameters().Count(p => p.grad is { } g && g.abs().sum().item<float>() > 0).Should().BeGreaterThan(0, "the encoder is trainable");
    }
}
