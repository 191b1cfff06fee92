using TorchSharp;
using Umt.Models.Bert;
using Umt.Models.Weights;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Bert;

/// <summary>
/// <see cref="BertForMaskedLM.LoadHuggingFace"/> on the spellings published BERT checkpoints use:
/// bert-base-uncased's BertForPreTraining <c>.bin</c> (<c>bert.</c> prefix, TF-era
/// <c>gamma</c>/<c>beta</c>, pooler and NSP head), bare <c>BertModel</c> files (all-MiniLM-L6-v2),
/// HF-saved BertForMaskedLM state dicts (tied <c>cls.predictions.decoder.*</c> duplicates).
/// </summary>
public sealed class BertLoadHuggingFaceTests
{
    private static readonly string[] CrossAttentionKeys =
    [
        "crossattention.self.query.weight", "crossattention.self.query.bias",
        "crossattention.self.key.weight", "crossattention.self.key.bias",
        "crossattention.self.value.weight", "crossattention.self.value.bias",
        "crossattention.output.dense.weight", "crossattention.output.dense.bias",
        "crossattention.output.LayerNorm.weight", "crossattention.output.LayerNorm.bias",
    ];

    private static readonly string[] HeadKeys =
    [
        "cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
        "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias",
        "cls.predictions.bias",
    ];

    [Fact]
    public void Bare_keys_with_gamma_and_beta_load_the_same_weights_and_leave_cross_attention_and_head_at_init()
    {
        using var scope = NewDisposeScope();
        var weights = BertFixture.Weights(scope);
        // A pretrained BertModel file: no bert. prefix, TF-era LayerNorm names, no cross-attention, no MLM head.
        var bare = weights
            .Where(kv => !kv.Key.Contains(".crossattention.", StringComparison.Ordinal) && !kv.Key.StartsWith("cls.", StringComparison.Ordinal))
            .ToDictionary(kv => Tf(kv.Key["bert.".Length..]), kv => kv.Value, StringComparer.Ordinal);
        bare.Keys.Should().Contain("embeddings.LayerNorm.gamma").And.Contain("encoder.layer.2.output.LayerNorm.beta").And.Contain("pooler.dense.weight");
        using var reference = BertFixture.LoadedModel(scope);
        using var model = new BertForMaskedLM(BertFixture.Tiny);
        model.to(ScalarType.Float64);
        var fresh = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var leftAtInit = model.LoadHuggingFace(bare);

        var expectedLeft = new[] { 1, 2 }.SelectMany(i => CrossAttentionKeys.Select(k => $"bert.encoder.layer.{i}.{k}")).Concat(HeadKeys);
        leftAtInit.Should().BeEquivalentTo(expectedLeft);
        var loaded = model.state_dict();
        var referenceState = reference.state_dict();
        foreach (var (key, value) in loaded)
        {
            var source = leftAtInit.Contains(key) ? fresh[key] : referenceState[key];
            value.equal(source).all().item<bool>().Should().BeTrue($"{key} should hold {(leftAtInit.Contains(key) ? "its init" : "the file's values")}");
        }
    }

    [Fact]
    public void The_state_dict_has_hf_keys_and_no_pooler_and_no_separate_decoder_weight()
    {
        using var model = new BertForMaskedLM(BertFixture.Tiny);

        var keys = model.state_dict().Keys.ToList();

        keys.Should().Contain("bert.embeddings.word_embeddings.weight")
            .And.Contain("bert.embeddings.position_embeddings.weight")
            .And.Contain("bert.embeddings.token_type_embeddings.weight")
            .And.Contain("bert.embeddings.LayerNorm.weight")
            .And.Contain("bert.encoder.layer.0.attention.self.query.weight")
            .And.Contain("bert.encoder.layer.0.attention.output.LayerNorm.bias")
            .And.Contain("bert.encoder.layer.0.intermediate.dense.weight")
            .And.Contain("bert.encoder.layer.0.output.dense.weight")
            .And.Contain("bert.encoder.layer.2.crossattention.self.key.weight")
            .And.Contain(HeadKeys);
        keys.Should().NotContain(k => k.StartsWith("bert.encoder.layer.0.crossattention.", StringComparison.Ordinal), "layer 0 precedes the fusion layer");
        keys.Should().NotContain(k => k.Contains("pooler", StringComparison.Ordinal) || k.Contains("decoder", StringComparison.Ordinal));
        model.state_dict()["bert.encoder.layer.1.crossattention.self.key.weight"].shape.Should().Equal(16, 12);
        model.state_dict()["bert.encoder.layer.1.crossattention.self.query.weight"].shape.Should().Equal(16, 16);
    }

    [Fact]
    public void Wrong_shapes_and_keys_that_belong_nowhere_are_all_named_and_nothing_is_copied()
    {
        using var scope = NewDisposeScope();
        var weights = new Dictionary<string, Tensor>(BertFixture.Weights(scope), StringComparer.Ordinal)
        {
            ["bert.encoder.layer.0.intermediate.dense.weight"] = zeros([25, 16], ScalarType.Float64),
            ["cls.predictions.decoder.weight"] = zeros([41, 16], ScalarType.Float64),
            ["bert.encoder.layer.3.attention.self.query.weight"] = zeros([16, 16], ScalarType.Float64),
            ["bert.encoder.layer.0.crossattention.self.query.weight"] = zeros([16, 16], ScalarType.Float64),
            ["embeddings.word_embeddings.weight"] = zeros([40, 16], ScalarType.Float64), // the bert. one is there too
        };
        using var model = new BertForMaskedLM(BertFixture.Tiny);
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var load = () => model.LoadHuggingFace(weights);

        var error = load.Should().Throw<StateDictMismatchException>().Which;
        error.WrongShapes.Select(w => w.Key).Should().BeEquivalentTo("bert.encoder.layer.0.intermediate.dense.weight", "cls.predictions.decoder.weight");
        error.UnexpectedKeys.Should().BeEquivalentTo(
            "bert.encoder.layer.3.attention.self.query.weight", "bert.encoder.layer.0.crossattention.self.query.weight", "embeddings.word_embeddings.weight");
        error.MissingKeys.Should().BeEmpty();
        error.Message.Should().Contain("bert.encoder.layer.0.intermediate.dense.weight").And.Contain("bert.encoder.layer.3.attention.self.query.weight");
        model.state_dict().Should().OnlyContain(kv => kv.Value.equal(before[kv.Key]).all().item<bool>());
    }

    [Fact]
    public void Missing_required_keys_and_half_present_optional_groups_are_named()
    {
        using var scope = NewDisposeScope();
        var weights = BertFixture.Weights(scope)
            .Where(kv => kv.Key is not "bert.encoder.layer.1.output.dense.bias"
                and not "bert.encoder.layer.2.crossattention.self.value.weight"
                and not "cls.predictions.transform.dense.weight")
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        using var model = new BertForMaskedLM(BertFixture.Tiny);

        var load = () => model.LoadHuggingFace(weights);

        load.Should().Throw<StateDictMismatchException>().Which.MissingKeys.Should().BeEquivalentTo(
            "bert.encoder.layer.1.output.dense.bias", "bert.encoder.layer.2.crossattention.self.value.weight", "cls.predictions.transform.dense.weight");
    }

    [Fact]
    public void A_decoder_bias_alone_stands_for_the_head_bias_and_the_decoder_weight_is_not_read()
    {
        using var scope = NewDisposeScope();
        var weights = new Dictionary<string, Tensor>(BertFixture.Weights(scope), StringComparer.Ordinal);
        var bias = weights["cls.predictions.bias"];
        weights.Remove("cls.predictions.bias");
        weights["cls.predictions.decoder.bias"] = bias;
        weights["cls.predictions.decoder.weight"] = full([40, 16], 3.0, ScalarType.Float64); // HF re-ties to the input embeddings
        using var model = new BertForMaskedLM(BertFixture.Tiny);
        model.to(ScalarType.Float64);

        model.LoadHuggingFace(weights).Should().BeEmpty();

        var state = model.state_dict();
        BertFixture.MaxDifference(state["cls.predictions.bias"], bias).Should().Be(0);
        BertFixture.MaxDifference(state["bert.embeddings.word_embeddings.weight"], weights["bert.embeddings.word_embeddings.weight"]).Should().Be(0);
    }

    /// <summary>bert-base-uncased's pytorch_model.bin spelling of LayerNorm parameters.</summary>
    private static string Tf(string key) =>
        key.EndsWith("LayerNorm.weight", StringComparison.Ordinal) ? key[..^"weight".Length] + "gamma"
        : key.EndsWith("LayerNorm.bias", StringComparison.Ordinal) ? key[..^"bias".Length] + "beta"
        : key;
}
