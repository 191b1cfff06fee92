using TorchSharp;
using Umt.Models.Bert;
using Umt.Models.VisionLanguage;
using static TorchSharp.torch;

namespace Umt.Tests.Qa;

/// <summary>
/// The open-ended QA answer decoder (umt_qa.py's <c>text_decoder</c>) and its answer ranking
/// (<c>rank_answer</c>), checked in float64 against a per-answer computation written here.
/// </summary>
public sealed class AnswerDecoderTests
{
    private const long Pad = 0, Cls = 1, Sep = 2;
    private const double Smoothing = 0.1;

    private static BertConfig Encoder(int encoderWidth = 8) =>
        new(VocabSize: 11, Hidden: 8, Layers: 3, Heads: 2, Intermediate: 16, FusionLayer: 1, EncoderWidth: encoderWidth, MaxPositions: 8, HiddenDropout: 0, AttentionDropout: 0);

    private static BertLmHeadModel Decoder(long seed)
    {
        torch.manual_seed(seed);
        var decoder = new BertLmHeadModel(BertLmHeadModel.DecoderOf(Encoder()));
        decoder.to(ScalarType.Float64);
        decoder.eval();
        return decoder;
    }

    /// <summary>Answers of 1–3 tokens between [CLS] and [SEP], padded to 5; two share their first token.</summary>
    private static (Tensor Ids, Tensor Mask) Answers()
    {
        long[][] rows = [[Cls, 5, Sep, Pad, Pad], [Cls, 6, 7, Sep, Pad], [Cls, 5, 8, 9, Sep], [Cls, 10, Sep, Pad, Pad]];
        var ids = tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, 5]);
        return (ids, ids.ne(Pad).to(ScalarType.Int64));
    }

    [Fact]
    public void Ranking_equals_a_per_answer_float64_likelihood_with_the_first_token_counted_twice_and_label_smoothing()
    {
        using var scope = NewDisposeScope();
        using var decoder = Decoder(3);
        torch.manual_seed(4);
        var states = randn([2, 3, 8], ScalarType.Float64);                                  // [Q, Lq, H]
        var questionMask = tensor(new long[] { 1, 1, 1, 1, 1, 0 }, [2, 3]);                 // the second question has a padded token
        var (ids, mask) = Answers();
        const int k = 3;

        var (ranked, probabilities) = AnswerRanking.Rank(decoder, states, questionMask, ids, mask, k, Pad, Smoothing);

        for (int q = 0; q < 2; q++)
        {
            var (expectedOrder, expectedProbabilities) = BruteForce(decoder, states.narrow(0, q, 1), questionMask.narrow(0, q, 1), ids, k);
            ranked[q].data<long>().ToArray().Should().Equal(expectedOrder, $"question {q}'s answers, best first");
            probabilities[q].data<double>().ToArray().Should().Equal(expectedProbabilities, (a, b) => Math.Abs(a - b) < 1e-12);
        }
    }

    [Fact]
    public void A_logit_depends_on_no_later_answer_token_and_on_no_padded_question_token()
    {
        using var scope = NewDisposeScope();
        using var decoder = Decoder(5);
        torch.manual_seed(6);
        var states = randn([1, 3, 8], ScalarType.Float64);
        var questionMask = tensor(new long[] { 1, 1, 0 }, [1, 3]);
        var ids = tensor(new long[] { Cls, 5, 6, Sep }, [1, 4]);
        var later = tensor(new long[] { Cls, 5, 9, 10 }, [1, 4]);
        var otherPadding = states.clone();
        otherPadding[0, 2] = randn(8, ScalarType.Float64);
        var full = ones([1, 4], ScalarType.Int64);

        var logits = decoder.Logits(ids, full, states, questionMask);

        decoder.Logits(later, full, states, questionMask).narrow(1, 0, 2).allclose(logits.narrow(1, 0, 2), rtol: 0, atol: 1e-12)
            .Should().BeTrue("positions 0 and 1 see only tokens 0 and 1, which are the same");
        decoder.Logits(later, full, states, questionMask).select(1, 2).allclose(logits.select(1, 2), rtol: 0, atol: 1e-6)
            .Should().BeFalse("position 2 sees the changed token");
        decoder.Logits(ids, full, otherPadding, questionMask).allclose(logits, rtol: 0, atol: 1e-12)
            .Should().BeTrue("the padded question token is masked out of the cross-attention");
    }

    [Fact]
    public void The_decoder_starts_as_the_text_encoders_fusion_layers_embeddings_and_head()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(7);
        using var encoder = new BertForMaskedLM(Encoder());
        using var decoder = new BertLmHeadModel(BertLmHeadModel.DecoderOf(encoder.Config));

        decoder.InitializeFrom(encoder).Should().BeEmpty("every tensor has a source of its shape when the vision width is the text width");

        var source = encoder.state_dict();
        var copied = decoder.state_dict();
        decoder.Config.Layers.Should().Be(2);
        copied.Keys.Where(k => k.Contains("layer.", StringComparison.Ordinal)).Should().OnlyContain(k => k.StartsWith("bert.encoder.layer.0.", StringComparison.Ordinal) || k.StartsWith("bert.encoder.layer.1.", StringComparison.Ordinal));
        foreach (var (key, tensor) in copied)
        {
            string from = key.Contains("layer.", StringComparison.Ordinal) ? EncoderLayerKey(key, fusionLayer: 1) : key;
            tensor.allclose(source[from], rtol: 0, atol: 0).Should().BeTrue($"{key} is the encoder's {from}");
        }

        using var wider = new BertForMaskedLM(Encoder(encoderWidth: 12));
        using var fresh = new BertLmHeadModel(BertLmHeadModel.DecoderOf(wider.Config));
        fresh.InitializeFrom(wider).Should().BeEquivalentTo(
            [.. from layer in new[] { 0, 1 } from part in new[] { "key.weight", "value.weight" } select $"bert.encoder.layer.{layer}.crossattention.self.{part}"],
            "keys and values projected from a 12-wide vision token cannot read the 8-wide question states");
    }

    private static string EncoderLayerKey(string decoderKey, int fusionLayer)
    {
        const string Layers = "bert.encoder.layer.";
        int dot = decoderKey.IndexOf('.', Layers.Length);
        return $"{Layers}{int.Parse(decoderKey[Layers.Length..dot], System.Globalization.CultureInfo.InvariantCulture) + fusionLayer}{decoderKey[dot..]}";
    }

    /// <summary>
    /// rank_answer one answer at a time on the host: log P(first token | [CLS]) from a one-token
    /// forward, then each answer alone through the decoder and its label-smoothed next-token
    /// losses summed in doubles, (1 − ε)·(−log p_target) + ε·mean over the vocabulary of (−log p).
    /// </summary>
    private static (long[] Order, double[] Probabilities) BruteForce(BertLmHeadModel decoder, Tensor states, Tensor questionMask, Tensor ids, int k)
    {
        long[][] answers = [.. Enumerable.Range(0, (int)ids.shape[0]).Select(a => ids[a].data<long>().ToArray())];
        double[] start = decoder.Logits(tensor(new[] { Cls }, [1, 1]), ones([1, 1], ScalarType.Int64), states, questionMask)[0, 0].data<double>().ToArray();
        double[] startLog = LogSoftmax(start);
        var firstLog = answers.Select(a => startLog[a[1]]).ToArray();
        var top = Enumerable.Range(0, answers.Length).OrderByDescending(a => firstLog[a]).Take(k).ToArray();

        var scores = top.Select(a =>
        {
            long[] tokens = [.. answers[a].TakeWhile(t => t != Pad)];
            var logits = decoder.Logits(tensor(tokens, [1, tokens.Length]), ones([1, tokens.Length], ScalarType.Int64), states, questionMask)[0];
            double loss = 0;
            for (int t = 0; t + 1 < tokens.Length; t++)
            {
                double[] log = LogSoftmax(logits[t].data<double>().ToArray());
                loss += (1 - Smoothing) * -log[tokens[t + 1]] + Smoothing * -log.Average();
            }
            return firstLog[a] - loss;
        }).ToArray();
        double max = scores.Max();
        double sum = scores.Sum(s => Math.Exp(s - max));
        var probabilities = scores.Select(s => Math.Exp(s - max) / sum).ToArray();
        var order = Enumerable.Range(0, top.Length).OrderByDescending(i => probabilities[i]).ToArray();
        return ([.. order.Select(i => (long)top[i])], [.. order.Select(i => probabilities[i])]);
    }

    private static double[] LogSoftmax(double[] x)
    {
        double max = x.Max();
        double log = Math.Log(x.Sum(v => Math.Exp(v - max))) + max;
        return [.. x.Select(v => v - log)];
    }
}
