using Umt.Models.Onnx;
using static TorchSharp.torch;

namespace Umt.Tests.TextEncoders;

/// <summary>The protobuf reader on the shipped all-MiniLM-L6-v2 and on small hand-written models, damaged ones included.</summary>
public sealed class OnnxModelTests
{
    [Fact]
    public void The_shipped_model_has_the_exported_graph()
    {
        var model = MiniLmFixture.Model;

        model.IrVersion.Should().Be(7);
        model.ProducerName.Should().Be("pytorch");
        model.ProducerVersion.Should().Be("1.10");
        model.Graph.Name.Should().Be("torch-jit-export");
        model.Graph.Initializers.Should().HaveCount(148);
        model.Graph.Nodes.Should().HaveCount(650);
        model.Graph.Nodes.Count(n => n.OpType == "MatMul").Should().Be(48, "6 per layer from Linears, 2 per layer from attention");
        model.Graph.Nodes.Count(n => n.OpType == "Gemm").Should().Be(1, "the pooler");
        model.Graph.Nodes.Count(n => n.OpType == "Softmax").Should().Be(6);

        model.Graph.Inputs.Select(i => i.Name).Should().Equal("input_ids", "attention_mask", "token_type_ids");
        model.Graph.Inputs.Should().AllSatisfy(i =>
        {
            i.ElementType.Should().Be(OnnxDataType.Int64);
            i.Shape!.Select(d => d.ToString()).Should().Equal("batch", "sequence");
        });
        var hidden = model.Graph.Outputs[0];
        hidden.Name.Should().Be("last_hidden_state");
        hidden.ElementType.Should().Be(OnnxDataType.Float);
        hidden.Shape!.Select(d => d.ToString()).Should().Equal("batch", "sequence", "Addlast_hidden_state_dim_2");
        model.Graph.Outputs[1].Shape!.Select(d => d.ToString()).Should().Equal("Tanh924_dim_0", "384");
    }

    [Theory]
    [InlineData("embeddings.word_embeddings.weight", OnnxDataType.Float, new long[] { 30522, 384 })]
    [InlineData("embeddings.position_embeddings.weight", OnnxDataType.Float, new long[] { 512, 384 })]
    [InlineData("embeddings.token_type_embeddings.weight", OnnxDataType.Float, new long[] { 2, 384 })]
    [InlineData("embeddings.LayerNorm.weight", OnnxDataType.Float, new long[] { 384 })]
    [InlineData("encoder.layer.5.output.LayerNorm.bias", OnnxDataType.Float, new long[] { 384 })]
    [InlineData("encoder.layer.0.intermediate.dense.bias", OnnxDataType.Float, new long[] { 1536 })]
    [InlineData("pooler.dense.weight", OnnxDataType.Float, new long[] { 384, 384 })]
    [InlineData("embeddings.position_ids", OnnxDataType.Int64, new long[] { 1, 512 })]
    [InlineData("938", OnnxDataType.Float, new long[] { 384, 1536 })]  // layer 0's intermediate weight, stored [in, out]
    [InlineData("939", OnnxDataType.Float, new long[] { 1536, 384 })]
    [InlineData("925", OnnxDataType.Int64, new long[] { 1 })]          // a reshape constant
    public void Known_tensors_have_their_type_and_shape(string name, OnnxDataType type, long[] shape)
    {
        var tensor = MiniLmFixture.Model.Graph.FindInitializer(name);

        tensor.Should().NotBeNull();
        tensor!.DataType.Should().Be(type);
        tensor.Shape.Should().Equal(shape);
        tensor.Value.shape.Should().Equal(shape);
        tensor.Value.dtype.Should().Be(type == OnnxDataType.Float ? ScalarType.Float32 : ScalarType.Int64);
        tensor.Value.device_type.Should().Be(TorchSharp.DeviceType.CPU);
    }

    [Fact]
    public void Values_are_decoded_exactly()
    {
        using var scope = NewDisposeScope();
        var graph = MiniLmFixture.Model.Graph;

        // position_ids is HF's arange buffer: every int64 element must come out in place.
        graph.FindInitializer("embeddings.position_ids")!.Value.data<long>().ToArray().Should().Equal(Enumerable.Range(0, 512).Select(i => (long)i));
        // A trained LayerNorm scale: finite, near 1, not all equal (a garbled read would not look like this).
        var scale = graph.FindInitializer("embeddings.LayerNorm.weight")!.Value;
        scale.isfinite().all().item<bool>().Should().BeTrue();
        scale.mean().item<float>().Should().BeInRange(0.2f, 2f);
        scale.std().item<float>().Should().BeGreaterThan(0.01f);
        // The [PAD] row (id 0) of the word embeddings is a trained vector too, but the table is not empty.
        graph.FindInitializer("embeddings.word_embeddings.weight")!.Value.abs().sum().item<float>().Should().BeGreaterThan(1000f);
    }

    [Fact]
    public void Node_attributes_and_constant_tensors_are_read()
    {
        var graph = MiniLmFixture.Model.Graph;

        var gemm = graph.Nodes.Single(n => n.OpType == "Gemm");
        gemm.Inputs.Skip(1).Should().Equal("pooler.dense.weight", "pooler.dense.bias");
        gemm.IntAttribute("transB", 0).Should().Be(1, "torch exports Linear on a 2-D input as Gemm with the weight as stored, [out, in]");
        var softmax = graph.Nodes.First(n => n.OpType == "Softmax");
        softmax.IntAttribute("axis", 0).Should().Be(-1);
        var constants = graph.Nodes.Where(n => n.OpType == "Constant").ToArray();
        constants.Should().HaveCount(155);
        constants.Should().AllSatisfy(c => c.Attributes["value"].Tensor.Should().NotBeNull());
    }

    [Fact]
    public void A_hand_written_model_with_typed_data_fields_is_read()
    {
        using var scope = NewDisposeScope();
        var weights = Proto.Tensor("w", OnnxDataType.Float, [2, 3], floatData: [1, 2, 3, 4, 5, 6]);
        var shape = Proto.Tensor("s", OnnxDataType.Int64, [2], int64Data: [-1, 384]);
        var node = Proto.Message([Proto.String(1, "x"), Proto.String(1, "w"), Proto.String(2, "y"), Proto.String(4, "MatMul")]);
        var graph = Proto.Message([Proto.Field(1, node), Proto.String(2, "g"), Proto.Field(5, weights), Proto.Field(5, shape)]);
        var bytes = Proto.Message([Proto.Varint(1, 8), Proto.Field(7, graph)]);

        using var model = OnnxModel.Read(new MemoryStream(bytes));

        model.IrVersion.Should().Be(8);
        model.Graph.Nodes.Single().Should().Match<OnnxNode>(n => n.OpType == "MatMul" && n.Inputs.SequenceEqual(new[] { "x", "w" }));
        model.Graph.FindInitializer("w")!.Value.data<float>().ToArray().Should().Equal(1, 2, 3, 4, 5, 6);
        model.Graph.FindInitializer("w")!.Value.shape.Should().Equal(2, 3);
        model.Graph.FindInitializer("s")!.Value.data<long>().ToArray().Should().Equal(-1, 384);
    }

    [Fact]
    public void The_model_owns_its_tensors_beyond_the_scope_it_was_read_in()
    {
        OnnxModel model;
        using (NewDisposeScope())
        {
            model = OnnxModel.Parse(Proto.ModelWith(Proto.Tensor("w", OnnxDataType.Float, [2], floatData: [1, 2])));
        }

        using (model)
        {
            model.Graph.FindInitializer("w")!.Value.data<float>().ToArray().Should().Equal(1, 2);
        }
        model.Graph.FindInitializer("w")!.Value.IsInvalid.Should().BeTrue("disposing the model frees them");
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "empty file", [] },
        { "varint over 64 bits", [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F] },
        { "varint cut off", [0x08, 0x80] },
        { "length past the end", [0x3A, 0x05, 0x00] },
        { "field number 0", [0x02, 0x00] },
        { "group wire type", [0x3B] },
        { "graph as a varint", [0x38, 0x01] },
        { "fixed64 cut off", [0x09, 0x01, 0x02] },
        { "raw data shorter than the dims", Proto.ModelWith(Proto.Tensor("w", OnnxDataType.Float, [2, 3], raw: new byte[20])) },
        { "raw data not whole elements", Proto.ModelWith(Proto.Tensor("w", OnnxDataType.Float, [1], raw: new byte[5])) },
        { "dims overflow 64 bits", Proto.ModelWith(Proto.Tensor("w", OnnxDataType.Float, [1L << 62, 8], raw: new byte[4])) },
        { "negative dim", Proto.ModelWith(Proto.Tensor("w", OnnxDataType.Float, [-1], raw: [])) },
        { "float data for an int64 tensor", Proto.ModelWith(Proto.Tensor("w", OnnxDataType.Int64, [1], floatData: [1])) },
        { "two data fields", Proto.ModelWith(Proto.Tensor("w", OnnxDataType.Float, [1], raw: new byte[4], floatData: [1])) },
        { "bool bytes other than 0/1", Proto.ModelWith(Proto.Tensor("b", OnnxDataType.Bool, [2], raw: [1, 7])) },
        { "repeated initializer name", Proto.ModelWith(Proto.Tensor("w", OnnxDataType.Float, [1], raw: new byte[4]), Proto.Tensor("w", OnnxDataType.Float, [1], raw: new byte[4])) },
        { "string not UTF-8", Proto.Message([Proto.Field(2, [0xC3, 0x28]), Proto.Field(7, [])]) },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_file_is_refused_with_invalid_data(string what, byte[] bytes)
    {
        var read = () => OnnxModel.Parse(bytes);

        read.Should().Throw<InvalidDataException>(what).WithMessage("*ONNX*");
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(5_000_000)]
    [InlineData(-1)]
    public void The_shipped_model_cut_short_is_refused_with_invalid_data(int length)
    {
        var bytes = MiniLmFixture.ModelBytes;
        int cut = length < 0 ? bytes.Length - 1 : length;

        var read = () => OnnxModel.Parse(bytes.AsSpan(0, cut));

        read.Should().Throw<InvalidDataException>();
    }

    [Fact]
    public void External_data_is_refused_clearly()
    {
        // data_location = EXTERNAL (field 14) with external_data entries (field 13): the bytes are in another file.
        var location = Proto.Message([Proto.String(1, "location"), Proto.String(2, "weights.bin")]);
        var tensor = Proto.Message([Proto.Varint(1, 4), Proto.Varint(2, (int)OnnxDataType.Float), Proto.String(8, "w"), Proto.Field(13, location), Proto.Varint(14, 1)]);

        var read = () => OnnxModel.Parse(Proto.ModelWith(tensor));

        read.Should().Throw<NotSupportedException>().WithMessage("*'w'*external file*");
    }
}
