using Umt.Abstractions.Datasets;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.Randomness;
using Umt.Abstractions.Teachers;
using Umt.Abstractions.TextEncoders;
using Umt.Models.Student;
using Umt.Models.VisionLanguage;
using static TorchSharp.torch;

namespace Umt.Plugin.Testing;

/// <summary>
/// An objective returns a finite scalar whose gradient reaches the student, its own head and (a
/// caption objective) the text encoder, given what its traits ask for: the student blocks, the
/// teacher's last K layers, the batch's captions.
/// </summary>
internal sealed class ObjectiveContract(string label, ContractSettings settings, Func<ITextEncoder?> captionEncoder)
{
    private const int TeacherWidth = 24;

    // Two captions, each twice: every row has a positive besides itself and negatives to draw.
    private static readonly string[] Captions = ["a small red circle moves to the left", "a large blue square spins", "a small red circle moves to the left", "a large blue square spins"];

    public void Check(IObjectiveFactory factory, object options)
    {
        using var scope = NewDisposeScope();
        var spec = settings.Student;
        var traits = factory.Describe(options, settings.Context(spec));
        Contract.That(traits.NeedsCaptions == traits.NeedsTextEncoder, label, "an objective that reads captions needs the text encoder, and only such one");
        Contract.That(traits.StudentBlocks.All(b => b >= 0 && b < spec.Depth), label, $"its student blocks must lie in [0, {spec.Depth}) for a {spec.Depth}-block student");
        manual_seed(0);
        using var student = new VideoVisionTransformer(new StudentConfig
        {
            Width = spec.Width, Depth = spec.Depth, Heads = spec.Heads, Frames = spec.Frames, ImageSize = spec.ImageSize, PatchSize = spec.PatchSize, Tubelet = spec.Tubelet,
        });
        using var textEncoder = traits.NeedsTextEncoder ? RequireTextEncoder() : null;
        var context = settings.Context(spec) with { TextEncoder = textEncoder?.Traits };
        using var objective = factory.Create(options, context, traits.NeedsTeacher ? TeacherWidth : null);
        int count = spec.Grid.Count;
        var video = randn([4, 3, spec.Frames, spec.ImageSize, spec.ImageSize]);                       // [B, 3, T, H, W]
        var mask = rand(4, count, generator: new Generator(3)).argsort(1).argsort(1) < count * 5 / 8;  // [B, N], true = hidden, 5/8 per row
        var teacher = traits.NeedsTeacher
            ? new TeacherOutput(
                nn.functional.normalize(randn(traits.TeacherLayers, 4, count, TeacherWidth), dim: -1),     // [K, B, N, C]
                softmax(randn(4 * spec.Grid.T, spec.Grid.PerSlot, generator: new Generator(5)), 1))     // [B·T, P]
            : null;
        var selection = TokenSelection.FromMask(mask, count - count * 5 / 8);                            // visible / hidden indices, fixed count per row
        var blocks = student.ForwardVisible(video, selection, traits.StudentBlocks, null);
        var batch = new VideoBatch(video, new SampleKeys(0, 0, [0, 1, 2, 3]), [.. Captions.Select(c => new VideoSample([], new Dictionary<string, int>(), c))]);
        using var heads = textEncoder is null ? null : new VisionLanguageHeads(spec.Width, textEncoder.Traits.Width, 16, 0.07);
        var shared = textEncoder is null ? null : settings.VisionLanguage!(textEncoder, heads!, batch, blocks[spec.Depth - 1], spec.Grid);

        var loss = objective.ComputeLoss(new ObjectiveContext { Batch = batch, Selection = selection, Grid = spec.Grid, StudentBlocks = blocks, Teacher = teacher, VisionLanguage = shared });
        loss.backward();

        Contract.That(loss.dim() == 0, label, $"the loss must be a scalar, not [{string.Join(", ", loss.shape)}]");
        Contract.That(double.IsFinite(loss.item<float>()), label, $"the loss must be finite, got {loss.item<float>()}");
        Contract.That(HasGradient(student), label, "the loss must reach the student");
        Contract.That(objective.Head is not { } head || HasGradient(head), label, "the objective's own head must be trained");
        Contract.That(textEncoder is null || HasGradient(textEncoder.Module), label, "a caption objective must train the text encoder");
    }

    private ITextEncoder RequireTextEncoder()
    {
        if (settings.VisionLanguage is null)
        {
            throw new PluginContractException($"{label} needs a text encoder: set ContractSettings.VisionLanguage to the stage-2 encoding it is checked with.");
        }
        return captionEncoder() ?? throw new PluginContractException($"{label} needs a text encoder, and the harness was given no text-encoder plugin to check it with.");
    }

    private static bool HasGradient(nn.Module module) => module.parameters().Any(p => p.grad is { } g && g.abs().sum().item<float>() > 0);
}
