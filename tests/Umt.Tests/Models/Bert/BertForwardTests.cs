using Umt.Models.Bert;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Bert;

/// <summary>
/// <see cref="BertForMaskedLM"/>'s modes against the float64 forward pass that make_fixtures.py
/// wrote out in plain torch ops (post-norm layers, −10000 text mask, finfo.min vision mask, erf
/// GELU, LayerNorm eps 1e-12, tied decoder), on a tiny model whose every parameter is random.
/// </summary>
public sealed class BertForwardTests
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void Text_all_fusion_and_mlm_outputs_match_the_pytorch_float64_reference()
    {
        using var scope = NewDisposeScope();
        using var model = BertFixture.LoadedModel(scope);
        var expected = BertFixture.Expected(scope);
        var (ids, mask) = (expected["input_ids"], expected["attention_mask"]);
        using var noGrad = no_grad();

        var text = model.EncodeText(ids, mask);                                       // [B, L, H]
        var all = model.EncodeAll(ids, mask);                                         // [B, L, H]
        var fused = model.Fuse(text, mask, expected["vision"], expected["vision_mask"]); // [B, L, H]
        var unmasked = model.Fuse(text, mask, expected["vision"]);                    // [B, L, H]
        var logits = model.MlmLogits(fused);                                          // [B, L, V]

        text.dtype.Should().Be(ScalarType.Float64);
        BertFixture.MaxDifference(text, expected["text"]).Should().BeLessThan(Tolerance);
        BertFixture.MaxDifference(all, expected["all"]).Should().BeLessThan(Tolerance);
        BertFixture.MaxDifference(fused, expected["fused"]).Should().BeLessThan(Tolerance);
        BertFixture.MaxDifference(unmasked, expected["fused_unmasked"]).Should().BeLessThan(Tolerance);
        BertFixture.MaxDifference(logits, expected["logits"]).Should().BeLessThan(Tolerance);
        logits.shape.Should().Equal(2, 7, 40);
    }

    [Fact]
    public void A_float32_model_reads_float64_weights_and_stays_close_to_the_reference()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForMaskedLM(BertFixture.Tiny);
        model.eval();
        model.LoadHuggingFace(BertFixture.Weights(scope));
        var expected = BertFixture.Expected(scope);
        using var noGrad = no_grad();

        var text = model.EncodeText(expected["input_ids"], expected["attention_mask"]);
        var fused = model.Fuse(text, expected["attention_mask"], expected["vision"].to(ScalarType.Float32), expected["vision_mask"]);

        fused.dtype.Should().Be(ScalarType.Float32);
        BertFixture.MaxDifference(fused, expected["fused"]).Should().BeLessThan(1e-4);
    }

    [Fact]
    public void Padded_tokens_ids_do_not_reach_the_real_tokens_in_any_mode()
    {
        using var scope = NewDisposeScope();
        using var model = BertFixture.LoadedModel(scope);
        var expected = BertFixture.Expected(scope);
        var (ids, mask, vision) = (expected["input_ids"], expected["attention_mask"], expected["vision"]);
        var otherIds = ids.clone();
        otherIds[1, 5..] = tensor(new long[] { 17, 33 });                             // row 1 is padded from position 5
        using var noGrad = no_grad();

        var (text, all, fused) = Outputs(model, ids, mask, vision);
        var (otherText, otherAll, otherFused) = Outputs(model, otherIds, mask, vision);

        foreach (var (a, b) in new[] { (text, otherText), (all, otherAll), (fused, otherFused) })
        {
            BertFixture.MaxDifference(a[0], b[0]).Should().Be(0, "row 0 has no padding and is another sequence");
            BertFixture.MaxDifference(a[1, ..5], b[1, ..5]).Should().Be(0, "padded keys get −10000 added, so exactly zero weight in float64");
            BertFixture.MaxDifference(a[1, 5..], b[1, 5..]).Should().BeGreaterThan(1e-3, "the padded positions' own outputs do read their ids");
        }

        // Control: without the mask the same id change does reach the real tokens.
        var ones = ones_like(mask);
        var (unmaskedText, _, _) = Outputs(model, ids, ones, vision);
        var (unmaskedOther, _, _) = Outputs(model, otherIds, ones, vision);
        BertFixture.MaxDifference(unmaskedText[1, ..5], unmaskedOther[1, ..5]).Should().BeGreaterThan(1e-3);
    }

    [Fact]
    public void A_masked_out_vision_token_does_not_affect_fusion()
    {
        using var scope = NewDisposeScope();
        using var model = BertFixture.LoadedModel(scope);
        var expected = BertFixture.Expected(scope);
        var (ids, mask, vision, visionMask) = (expected["input_ids"], expected["attention_mask"], expected["vision"], expected["vision_mask"]);
        var otherVision = vision.clone();
        otherVision[1, 3..] = randn([2, 12], dtype: ScalarType.Float64, generator: new Generator(11)) * 5; // row 1 masks vision tokens 3 and 4
        using var noGrad = no_grad();
        var text = model.EncodeText(ids, mask);

        var fused = model.Fuse(text, mask, vision, visionMask);
        var otherFused = model.Fuse(text, mask, otherVision, visionMask);

        BertFixture.MaxDifference(fused, otherFused).Should().Be(0);
        BertFixture.MaxDifference(model.Fuse(text, mask, vision), model.Fuse(text, mask, otherVision)).Should()
            .BeGreaterThan(1e-3, "without the mask those vision tokens are attended to");
    }

    [Fact]
    public void Dropout_acts_in_training_mode_only()
    {
        using var scope = NewDisposeScope();
        using var model = BertFixture.LoadedModel(scope);
        var expected = BertFixture.Expected(scope);
        var (ids, mask) = (expected["input_ids"], expected["attention_mask"]);
        using var noGrad = no_grad();

        BertFixture.MaxDifference(model.EncodeAll(ids, mask), model.EncodeAll(ids, mask)).Should().Be(0);
        model.train();
        var first = model.EncodeAll(ids, mask);
        var second = model.EncodeAll(ids, mask);
        model.eval();

        BertFixture.MaxDifference(first, second).Should().BeGreaterThan(1e-3);
        BertFixture.MaxDifference(model.EncodeAll(ids, mask), expected["all"]).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Inputs_of_the_wrong_shape_are_refused()
    {
        using var scope = NewDisposeScope();
        using var model = new BertForMaskedLM(BertFixture.Tiny);
        var ids = zeros([2, 7], ScalarType.Int64);
        var mask = ones([2, 7], ScalarType.Int64);
        var text = zeros([2, 7, 16]);

        model.Invoking(m => m.EncodeText(zeros([2, 17], ScalarType.Int64), ones([2, 17]))).Should().Throw<ArgumentException>("17 tokens exceed 16 positions");
        model.Invoking(m => m.EncodeText(ids, ones([2, 6]))).Should().Throw<ArgumentException>();
        model.Invoking(m => m.Fuse(text, mask, zeros([2, 5, 16]))).Should().Throw<ArgumentException>("vision tokens are 12 wide");
        model.Invoking(m => m.Fuse(text, mask, zeros([2, 5, 12]), ones([2, 4]))).Should().Throw<ArgumentException>();
    }

    private static (Tensor Text, Tensor All, Tensor Fused) Outputs(BertForMaskedLM model, Tensor ids, Tensor mask, Tensor vision)
    {
        var text = model.EncodeText(ids, mask);
        return (text, model.EncodeAll(ids, mask), model.Fuse(text, mask, vision));
    }
}
