using TorchSharp;
using Umt.Models.Bert;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Bert;

/// <summary>
/// The tied MLM decoder, the presets' parameter counts against the published model sizes, HF's
/// init, and config validation.
/// </summary>
public sealed class BertParameterTests
{
    private const string WordEmbeddings = "bert.embeddings.word_embeddings.weight";

    [Fact]
    public void The_mlm_decoder_is_the_word_embedding_matrix_even_after_a_dtype_change()
    {
        using var scope = NewDisposeScope();
        using var model = BertFixture.LoadedModel(scope); // converted to float64 before loading
        var hidden = randn([2, 3, 16], dtype: ScalarType.Float64, generator: new Generator(5));
        var bias = model.state_dict()["cls.predictions.bias"];
        using var noGrad = no_grad();
        var before = model.MlmLogits(hidden) - bias;                      // [B, L, V]  transform(h) · Wᵀ

        model.state_dict()[WordEmbeddings].mul_(2.0);
        var doubled = model.MlmLogits(hidden) - bias;
        model.state_dict()[WordEmbeddings][7].zero_();
        var rowZeroed = model.MlmLogits(hidden) - bias;

        BertFixture.MaxDifference(doubled, before * 2).Should().BeLessThan(1e-12, "the logits are linear in the word embeddings");
        rowZeroed[.., .., 7].abs().max().item<double>().Should().Be(0, "token 7's logit reads row 7 of the word embeddings");
        BertFixture.MaxDifference(rowZeroed[.., .., ..7], doubled[.., .., ..7]).Should().Be(0);
    }

    [Fact]
    public void The_tied_weight_is_one_parameter_counted_once()
    {
        using var model = new BertForMaskedLM(BertFixture.Tiny);

        var parameters = model.named_parameters().ToList();

        parameters.Count(p => p.parameter.shape.SequenceEqual(new long[] { 40, 16 })).Should().Be(1, "only the word embeddings are [V, H]");
        parameters.Sum(p => p.parameter.numel()).Should().Be(model.state_dict().Values.Sum(t => t.numel()));
        parameters.Sum(p => p.parameter.numel()).Should().Be(Expected(BertFixture.Tiny));
    }

    public static TheoryData<string, long> Presets => new()
    {
        // bert-base-uncased: 109,482,240 with the pooler (768² + 768 = 590,592)
        { "base", 108_891_648 },
        // bert-large-uncased: 335,141,888 with the pooler (1024² + 1024)
        { "large", 334_092_288 },
        // sentence-transformers/all-MiniLM-L6-v2: 22,713,216 with the pooler (384² + 384)
        { "minilm", 22_565_376 },
    };

    [Theory]
    [MemberData(nameof(Presets))]
    public void Preset_parameter_counts_are_the_published_text_model_plus_cross_attention_and_mlm_head(string preset, long publishedWithoutPooler)
    {
        var config = preset switch
        {
            "base" => BertConfig.Base(768),
            "large" => BertConfig.Large(1024),
            _ => BertConfig.MiniLmL6(768),
        };
        TextOnly(config).Should().Be(publishedWithoutPooler, "the formula reproduces the published size");

        // On the meta device: shapes without storage, so bert-large's 1.3 GB is neither allocated nor drawn.
        var device = get_default_device();
        set_default_device(META);
        try
        {
            using var model = new BertForMaskedLM(config);

            model.parameters().Should().OnlyContain(p => p.device_type == DeviceType.META);
            model.parameters().Sum(p => p.numel()).Should().Be(Expected(config));
        }
        finally
        {
            set_default_device(device);
        }
    }

    [Fact]
    public void Presets_have_the_published_architectures()
    {
        BertConfig.Base(768).Should().Be(new BertConfig(30522, 768, 12, 12, 3072, 9, 768, 512, 2, 1e-12));
        BertConfig.Large(1024).Should().Be(new BertConfig(30522, 1024, 24, 16, 4096, 19, 1024, 512, 2, 1e-12));
        BertConfig.MiniLmL6(512).Should().Be(new BertConfig(30522, 384, 6, 12, 1536, 3, 512, 512, 2, 1e-12));
    }

    [Fact]
    public void Fresh_weights_follow_hf_init()
    {
        using var model = new BertForMaskedLM(BertConfig.MiniLmL6(768));
        var state = model.state_dict();

        foreach (var key in new[] { WordEmbeddings, "bert.encoder.layer.0.intermediate.dense.weight", "bert.encoder.layer.5.crossattention.self.key.weight" })
        {
            state[key].std().item<float>().Should().BeApproximately(0.02f, 0.001f, key);
            state[key].mean().item<float>().Should().BeApproximately(0f, 0.001f, key);
        }
        state["bert.encoder.layer.0.intermediate.dense.bias"].abs().max().item<float>().Should().Be(0);
        state["bert.encoder.layer.0.output.LayerNorm.weight"].eq(1f).all().item<bool>().Should().BeTrue();
        state["cls.predictions.bias"].abs().max().item<float>().Should().Be(0);
    }

    [Theory]
    [InlineData(16, 3, 1)]   // 16 not a multiple of 3 heads
    [InlineData(16, 2, 4)]   // fusion layer past the 3 layers
    [InlineData(16, 2, -1)]
    public void Inconsistent_configs_are_refused(int hidden, int heads, int fusion)
    {
        var create = () => new BertForMaskedLM(new BertConfig(40, hidden, 3, heads, 24, fusion, 12));

        create.Should().Throw<ArgumentException>();
    }

    /// <summary>A BertModel without pooler, by formula (embeddings, then per layer: q, k, v, attention output, LayerNorm, feed-forward, LayerNorm).</summary>
    private static long TextOnly(BertConfig c)
    {
        long h = c.Hidden, i = c.Intermediate;
        long embeddings = ((long)c.VocabSize + c.MaxPositions + c.TypeVocabSize) * h + 2 * h;
        long layer = 4 * (h * h + h) + 2 * h + (h * i + i) + (i * h + h) + 2 * h;
        return embeddings + c.Layers * layer;
    }

    /// <summary>The text model, plus per fusion layer a cross-attention (query H→H, key and value C→H, output H→H, LayerNorm), plus the MLM head (transform dense and LayerNorm, output bias; the decoder is tied).</summary>
    private static long Expected(BertConfig c)
    {
        long h = c.Hidden, e = c.EncoderWidth;
        long cross = (h * h + h) + 2 * (e * h + h) + (h * h + h) + 2 * h;
        long head = (h * h + h) + 2 * h + c.VocabSize;
        return TextOnly(c) + (c.Layers - c.FusionLayer) * cross + head;
    }
}
