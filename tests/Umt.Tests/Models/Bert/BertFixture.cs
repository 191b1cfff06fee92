using TorchSharp;
using Umt.Models.Bert;
using Umt.Models.Weights;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Bert;

/// <summary>
/// The tiny xbert that tests/fixtures/bert/make_fixtures.py wrote with real PyTorch: its config,
/// its HF-layout float64 weights and the reference outputs computed there from the math.
/// </summary>
internal static class BertFixture
{
    /// <summary>make_fixtures.py's VOCAB, HIDDEN, LAYERS, HEADS, INTERMEDIATE, FUSION_LAYER, ENCODER_WIDTH, MAX_POSITIONS.</summary>
    public static readonly BertConfig Tiny = new(VocabSize: 40, Hidden: 16, Layers: 3, Heads: 2, Intermediate: 24, FusionLayer: 1, EncoderWidth: 12, MaxPositions: 16);

    private static readonly string Folder = Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "bert");

    /// <summary>Reads a fixture file and hands its tensors (which belong to no scope) to <paramref name="scope"/>.</summary>
    public static Dictionary<string, Tensor> Read(DisposeScope scope, string name)
    {
        var tensors = WeightFile.ReadStateDict(Path.Combine(Folder, name));
        scope.Attach(tensors.Values);
        return tensors;
    }

    /// <summary>The fixture's weights file (HF BertForMaskedLM layout plus cross-attention, pooler, NSP head, position_ids).</summary>
    public static Dictionary<string, Tensor> Weights(DisposeScope scope) => Read(scope, "weights.safetensors");

    /// <summary>Inputs and reference outputs.</summary>
    public static Dictionary<string, Tensor> Expected(DisposeScope scope) => Read(scope, "expected.safetensors");

    /// <summary>The tiny model in float64 and eval mode with the fixture's weights.</summary>
    public static BertForMaskedLM LoadedModel(DisposeScope scope)
    {
        var model = new BertForMaskedLM(Tiny);
        model.to(ScalarType.Float64);
        model.eval();
        model.LoadHuggingFace(Weights(scope)).Should().BeEmpty("the fixture holds every parameter, cross-attention and MLM head included");
        return model;
    }

    /// <summary>Largest absolute difference, in float64.</summary>
    public static double MaxDifference(Tensor actual, Tensor expected)
    {
        actual.shape.Should().Equal(expected.shape);
        using var difference = (actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64)).abs().max();
        return difference.item<double>();
    }
}
