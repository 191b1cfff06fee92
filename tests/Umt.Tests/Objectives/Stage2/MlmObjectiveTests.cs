using Serilog.Core;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.Randomness;
using Umt.Abstractions.TextEncoders;
using Umt.Models.VisionLanguage;
using Umt.Plugins.Objectives.Mlm;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Step;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;

namespace Umt.Tests.Objectives.Stage2;

/// <summary>The <c>mlm</c> objective as the runner calls it, against the reference's computation over every position.</summary>
public sealed class MlmObjectiveTests
{
    private static readonly StudentSpec Student = new(Width: 32, Depth: 2, Heads: 2, Frames: 4, ImageSize: 16, PatchSize: 4, Tubelet: 1);

    [Fact]
    public void Scoring_only_the_selected_positions_equals_the_reference_loss_over_all_positions()
    {
        using var scope = NewDisposeScope();
        var context = new PluginContext(CPU, 0, Student, Logger.None, RepositoryPaths.Root);
        var factory = (ITextEncoderFactory)PluginCatalog.Load([]).Find(PluginKind.TextEncoder, "minilm")!.Factory;
        using var encoder = factory.Create(Activator.CreateInstance(factory.OptionsType)!, context);
        encoder.Module.eval(); // no dropout: both paths must see the same network
        using var heads = new VisionLanguageHeads(Student.Width, encoder.Traits.Width, 16, 0.07);
        manual_seed(1);
        var vision = randn(2, 5, Student.Width);                                                    // [B, Nv, D]
        string[] captions = ["a small red circle moves to the left across the frame", "a large blue square"];
        var keys = new SampleKeys(4, 9, [17, 3]);
        var batch = new VideoBatch(zeros([2, 3, 4, 16, 16]), keys, [.. captions.Select(c => new VideoSample([], new Dictionary<string, int>(), c))]);
        var shared = VisionLanguageStep.Encode(encoder, heads, batch, vision, Student.Grid, CPU);
        using var objective = new MlmObjective(new MlmOptions());

        var loss = objective.ComputeLoss(new ObjectiveContext
        {
            Batch = batch, Selection = TokenSelection.FromMask(zeros(2, Student.Grid.Count, ScalarType.Bool), Student.Grid.Count), Grid = Student.Grid, StudentBlocks = new Dictionary<int, Tensor>(), VisionLanguage = shared,
        });

        // The reference: the same corruption, logits at every position, mean cross-entropy over the
        // labelled ones, here in float64 from log-softmax by hand.
        var tokenizer = encoder.Tokenizer;
        var (corrupted, labels) = MlmMasking.Mask(shared.HostInputIds, tokenizer.PadId, tokenizer.ClsId, tokenizer.MaskId, encoder.Traits.VocabSize, keys);
        var hidden = encoder.EncodeText(new TokenizedText(corrupted, shared.Text.AttentionMask));
        var logits = encoder.MlmLogits(encoder.Fuse(hidden, shared.Text.AttentionMask, vision)).to(ScalarType.Float64); // [B, L, V]
        var logProbabilities = logits.log_softmax(-1).data<double>().ToArray();
        long[] labelValues = labels.data<long>().ToArray();
        int vocab = encoder.Traits.VocabSize;
        double sum = 0;
        int count = 0;
        for (int position = 0; position < labelValues.Length; position++)
        {
            if (labelValues[position] != MlmMasking.IgnoreIndex)
            {
                sum -= logProbabilities[position * vocab + labelValues[position]];
                count++;
            }
        }

        count.Should().BeGreaterThan(2, "about half of the tokens are selected");
        loss.item<float>().Should().BeApproximately((float)(sum / count), 1e-4f);
    }
}
