using Microsoft.ML.OnnxRuntime;
using Umt.Models.Bert;
using Umt.Models.Onnx;
using Umt.Plugins.TextEncoders.MiniLm;
using Umt.Plugins.TextEncoders.Tokenization;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.TextEncoders;

/// <summary>
/// all-MiniLM-L6-v2 from its ONNX export to <see cref="BertForMaskedLM"/>: every weight gets its HF
/// key, and the loaded model computes what ONNX Runtime computes from the same file.
/// </summary>
public sealed class MiniLmImportTests(ITestOutputHelper output)
{
    /// <summary>The HF BertModel keys of all-MiniLM-L6-v2 (config: 6 layers, no prefix), pooler included.</summary>
    private static readonly string[] ExpectedKeys =
    [
        "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
        "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
        .. Enumerable.Range(0, 6).SelectMany(i => new[]
        {
            "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
            "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm",
        }.SelectMany(m => new[] { $"encoder.layer.{i}.{m}.weight", $"encoder.layer.{i}.{m}.bias" })),
        "pooler.dense.weight", "pooler.dense.bias",
    ];

    [Fact]
    public void Every_weight_of_the_shipped_model_gets_its_hf_key()
    {
        using var scope = NewDisposeScope();
        var model = MiniLmFixture.Model;

        var (stateDict, unmapped) = MiniLmOnnxImport.ToHuggingFace(model);
        var constants = MiniLmOnnxImport.Constants(model);

        unmapped.Should().BeEmpty();
        stateDict.Keys.Should().BeEquivalentTo(ExpectedKeys);
        // The 45 integer initializers: HF's position_ids buffer and 44 reshape/slice constants [1]
        // (9 in layer 0, 7 in each later layer); 103 weights + 45 constants = all 148.
        constants.Should().HaveCount(45).And.Contain("embeddings.position_ids");
        constants.Where(c => c != "embeddings.position_ids").Should().AllSatisfy(c =>
        {
            model.Graph.FindInitializer(c)!.Shape.Should().Equal(1);
            int.TryParse(c, out _).Should().BeTrue("the exporter names its own constants by number");
        });

        // Linear weights come back in torch's [out, in] layout, transposed from ONNX's [in, out].
        stateDict["encoder.layer.0.intermediate.dense.weight"].shape.Should().Equal(1536, 384);
        stateDict["encoder.layer.0.output.dense.weight"].shape.Should().Equal(384, 1536);
        Same(stateDict["encoder.layer.0.attention.self.query.weight"], model.Graph.FindInitializer("927")!.Value.t()).Should().BeTrue("encoder.layer.0.attention.self.query.weight");
        Same(stateDict["encoder.layer.0.attention.self.key.weight"], model.Graph.FindInitializer("928")!.Value.t()).Should().BeTrue("encoder.layer.0.attention.self.key.weight");
        Same(stateDict["encoder.layer.0.attention.self.value.weight"], model.Graph.FindInitializer("931")!.Value.t()).Should().BeTrue("encoder.layer.0.attention.self.value.weight");
        Same(stateDict["encoder.layer.5.output.dense.weight"], model.Graph.FindInitializer("1004")!.Value.t()).Should().BeTrue("encoder.layer.5.output.dense.weight");
        stateDict.Values.Should().AllSatisfy(t => t.is_contiguous().Should().BeTrue());
        // The pooler's Gemm has transB = 1: its weight is stored as torch keeps it.
        Same(stateDict["pooler.dense.weight"], model.Graph.FindInitializer("pooler.dense.weight")!.Value).Should().BeTrue("pooler.dense.weight");
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.equal(b).all().item<bool>();

    [Fact]
    public void The_imported_weights_reproduce_onnx_runtime()
    {
        using var scope = NewDisposeScope();
        string[] captions =
        [
            "A man is riding a bicycle down a busy street.",
            "Café naïve: two dogs play in the snow!",
            "tokenization",
            "a woman with a small dog walks past the old bakery on the corner of the town square at dusk",
        ];
        using var vocabulary = MiniLmResources.OpenVocabulary();
        var batch = WordPieceTokenizer.Load(vocabulary).Encode(captions, maxLength: 24);
        long[] shape = [batch.Count, batch.MaxLength];

        // Reference: ONNX Runtime on the very file the weights came from.
        float[] expected;
        using (var session = new InferenceSession(MiniLmFixture.ModelBytes))
        using (var ids = OrtValue.CreateTensorValueFromMemory(batch.Ids, shape))
        using (var mask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, shape))
        using (var types = OrtValue.CreateTensorValueFromMemory(new long[batch.Ids.Length], shape))
        using (var options = new RunOptions())
        using (var results = session.Run(options, ["input_ids", "attention_mask", "token_type_ids"], [ids, mask, types], ["last_hidden_state"]))
        {
            expected = results[0].GetTensorDataAsSpan<float>().ToArray();
        }

        var (stateDict, unmapped) = MiniLmOnnxImport.ToHuggingFace(MiniLmFixture.Model);
        unmapped.Should().BeEmpty();
        using var bert = new BertForMaskedLM(BertConfig.MiniLmL6(encoderWidth: 384));
        var untouched = bert.LoadHuggingFace(stateDict);
        // Only what all-MiniLM-L6-v2 cannot have: the fusion layers' cross-attention and the MLM head.
        untouched.Should().NotBeEmpty().And.AllSatisfy(k => (k.Contains(".crossattention.", StringComparison.Ordinal) || k.StartsWith("cls.predictions.", StringComparison.Ordinal)).Should().BeTrue(k));
        bert.eval();
        Tensor actual;
        using (no_grad())
        {
            actual = bert.EncodeAll(tensor(batch.Ids, shape), tensor(batch.AttentionMask, shape));
        }

        actual.shape.Should().Equal(batch.Count, batch.MaxLength, 384);
        var reference = tensor(expected, [batch.Count, batch.MaxLength, 384]);
        var difference = (actual - reference).abs();                                   // [B, L, 384]
        var real = tensor(batch.AttentionMask, shape).to(ScalarType.Bool);             // [B, L]
        float onTokens = difference[real].max().item<float>();
        float overall = difference.max().item<float>();
        output.WriteLine($"max |EncodeAll − ONNX Runtime| on tokens: {onTokens:E3}; on all positions, padding included: {overall:E3}; "
            + $"max |reference| {reference.abs().max().item<float>():F3}");
        onTokens.Should().BeLessThan(1e-4f);
    }

    [Fact]
    public void Weights_the_graph_does_not_pin_down_are_reported_not_guessed()
    {
        using var scope = NewDisposeScope();
        byte[] Weight(string name, long[] dims) => Proto.Tensor(name, OnnxDataType.Float, dims, raw: new byte[4 * dims.Aggregate(1L, (a, b) => a * b)]);
        var bytes = Proto.Model(
            [
                // a.weight: MatMul → Add(a.bias): mapped, transposed.
                Proto.Node("MatMul", ["x", "10"], ["m1"]), Proto.Node("Add", ["m1", "a.bias"], ["y1"]),
                // 11 and 12 both end in b.bias: neither can be b.weight.
                Proto.Node("MatMul", ["x", "11"], ["m2"]), Proto.Node("Add", ["m2", "b.bias"], ["y2"]),
                Proto.Node("MatMul", ["x", "12"], ["m3"]), Proto.Node("Add", ["b.bias", "m3"], ["y3"]),
                // 13's product feeds two nodes: not a Linear.
                Proto.Node("MatMul", ["x", "13"], ["m4"]), Proto.Node("Add", ["m4", "c.bias"], ["y4"]), Proto.Node("Relu", ["m4"], ["r4"]),
                // d.weight is named, but MatMul reads it as x·W: its layout contradicts its name.
                Proto.Node("MatMul", ["x", "d.weight"], ["m5"]),
            ],
            [
                Weight("10", [2, 3]), Weight("a.bias", [3]), Weight("11", [2, 3]), Weight("12", [2, 3]), Weight("b.bias", [3]),
                Weight("13", [2, 3]), Weight("c.bias", [3]), Weight("d.weight", [2, 3]),
                Proto.Tensor("14", OnnxDataType.Int64, [1], raw: new byte[8]),
            ]);
        using var model = OnnxModel.Parse(bytes);

        var (stateDict, unmapped) = MiniLmOnnxImport.ToHuggingFace(model);

        stateDict.Keys.Should().BeEquivalentTo("a.weight", "a.bias", "b.bias", "c.bias");
        stateDict["a.weight"].shape.Should().Equal(3, 2);
        unmapped.Should().Equal("11", "12", "13", "d.weight");
        MiniLmOnnxImport.Constants(model).Should().Equal("14");
    }
}
