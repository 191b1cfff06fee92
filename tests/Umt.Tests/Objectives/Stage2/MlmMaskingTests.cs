using Umt.Abstractions.Randomness;
using Umt.Plugins.Objectives.Mlm;
using static TorchSharp.torch;

namespace Umt.Tests.Objectives.Stage2;

/// <summary>
/// MLM corruption (criterions.py <c>MLMLoss.mask</c>: 50 % of non-[PAD]/[CLS] tokens, 80/10/10)
/// and its loss, with counts over many keys and hand-computed values.
/// </summary>
public sealed class MlmMaskingTests
{
    private const long Pad = 0, Cls = 1, Sep = 2, MaskToken = 3;
    private const int Vocab = 1000;
    private const int Rows = 64, Length = 32;

    [Fact]
    public void Pad_and_cls_are_never_selected_and_sep_is()
    {
        using var scope = NewDisposeScope();
        var (ids, original) = Captions(seed: 1);
        bool sepSelected = false;

        for (long step = 0; step < 20; step++)
        {
            var (corrupted, labels) = MlmMasking.Mask(ids, Pad, Cls, MaskToken, Vocab, Keys(step, Rows));
            long[] c = Longs(corrupted), l = Longs(labels);
            for (int k = 0; k < c.Length; k++)
            {
                if (original[k] is Pad or Cls)
                {
                    l[k].Should().Be(MlmMasking.IgnoreIndex);
                    c[k].Should().Be(original[k]);
                }
                sepSelected |= original[k] == Sep && l[k] == Sep;
            }
        }
        sepSelected.Should().BeTrue("the reference deselects only [PAD] and [CLS]");
    }

    [Fact]
    public void Half_the_eligible_tokens_are_selected_and_80_10_10_of_those_are_masked_randomised_kept()
    {
        using var scope = NewDisposeScope();
        var (ids, original) = Captions(seed: 2);
        long eligible = 0, selected = 0, masked = 0, randomised = 0, kept = 0;

        for (long step = 0; step < 20; step++)
        {
            var (corrupted, labels) = MlmMasking.Mask(ids, Pad, Cls, MaskToken, Vocab, Keys(step, Rows));
            long[] c = Longs(corrupted), l = Longs(labels);
            for (int k = 0; k < c.Length; k++)
            {
                if (original[k] is Pad or Cls)
                {
                    continue;
                }
                eligible++;
                if (l[k] == MlmMasking.IgnoreIndex)
                {
                    c[k].Should().Be(original[k], "an unselected token is never changed");
                    continue;
                }
                l[k].Should().Be(original[k], "the label is the original token");
                selected++;
                if (c[k] == MaskToken)
                {
                    masked++;
                }
                else if (c[k] == original[k])
                {
                    kept++;
                }
                else
                {
                    randomised++;
                    c[k].Should().BeInRange(0, Vocab - 1);
                }
            }
        }

        // ≈ 12 000 eligible tokens: binomial sd ≈ 0.005 of the share, ≈ 0.0027 for the 10 % shares.
        // A random id equals the original or [MASK] with 1/V each, shifting 0.02 % between buckets.
        ((double)selected / eligible).Should().BeApproximately(0.5, 0.025);
        ((double)masked / selected).Should().BeApproximately(0.8, 0.025);
        ((double)randomised / selected).Should().BeApproximately(0.1, 0.015);
        ((double)kept / selected).Should().BeApproximately(0.1, 0.015);
    }

    [Fact]
    public void Labels_follow_the_documented_draw_order_of_each_rows_keyed_generator()
    {
        // Re-derives the selection and replacement independently from keys.Key(row, "mlm"):
        // rand([3, L]) then randint(0, V, [L]); selected = u0 < p except [PAD]/[CLS]; [MASK] where
        // u1 < 0.8; random id where u2 < 0.5 among the rest.
        using var scope = NewDisposeScope();
        var (ids, original) = Captions(seed: 3);
        var keys = Keys(7, Rows);
        const double probability = 0.3;

        var (corrupted, labels) = MlmMasking.Mask(ids, Pad, Cls, MaskToken, Vocab, keys, probability);

        long[] c = Longs(corrupted), l = Longs(labels);
        for (int row = 0; row < Rows; row++)
        {
            using var generator = new Generator(keys.Key(row, "mlm"));
            float[] u = rand([3, Length], ScalarType.Float32, generator: generator).data<float>().ToArray();
            long[] words = randint(0, Vocab, [Length], ScalarType.Int64, generator: generator).data<long>().ToArray();
            for (int t = 0; t < Length; t++)
            {
                int k = row * Length + t;
                bool isSelected = u[t] < probability && original[k] is not (Pad or Cls);
                long expectedInput = !isSelected ? original[k]
                    : u[Length + t] < 0.8 ? MaskToken
                    : u[2 * Length + t] < 0.5 ? words[t]
                    : original[k];
                l[k].Should().Be(isSelected ? original[k] : -100, $"label at row {row}, position {t}");
                c[k].Should().Be(expectedInput, $"input at row {row}, position {t}");
            }
        }
    }

    [Fact]
    public void Random_replacements_may_be_special_tokens()
    {
        // torch.randint(vocab_size, ...) spans the whole vocabulary, special ids included.
        using var scope = NewDisposeScope();
        var (ids, original) = Captions(seed: 4, vocab: 8);
        var specials = new HashSet<long>();

        for (long step = 0; step < 10; step++)
        {
            var (corrupted, labels) = MlmMasking.Mask(ids, Pad, Cls, MaskToken, 8, Keys(step, Rows));
            long[] c = Longs(corrupted), l = Longs(labels);
            for (int k = 0; k < c.Length; k++)
            {
                if (l[k] != MlmMasking.IgnoreIndex && c[k] != original[k] && c[k] is Pad or Cls or Sep)
                {
                    specials.Add(c[k]);
                }
            }
        }
        specials.Should().BeEquivalentTo(new[] { Pad, Cls, Sep });
    }

    [Fact]
    public void Same_keys_give_the_same_corruption_and_a_row_depends_only_on_its_key()
    {
        using var scope = NewDisposeScope();
        var (ids, _) = Captions(seed: 5);
        var keys = Keys(3, Rows);

        var (first, firstLabels) = MlmMasking.Mask(ids, Pad, Cls, MaskToken, Vocab, keys);
        var (again, againLabels) = MlmMasking.Mask(ids, Pad, Cls, MaskToken, Vocab, keys);
        // The second half of the batch, as a second process would hold it.
        var slice = TensorIndex.Slice(Rows / 2, Rows);
        var (half, halfLabels) = MlmMasking.Mask(ids[slice], Pad, Cls, MaskToken, Vocab, keys.Slice(Rows / 2, Rows / 2));
        var (otherStep, _) = MlmMasking.Mask(ids, Pad, Cls, MaskToken, Vocab, keys with { Step = 4 });

        Longs(again).Should().Equal(Longs(first));
        Longs(againLabels).Should().Equal(Longs(firstLabels));
        Longs(half).Should().Equal(Longs(first[slice]));
        Longs(halfLabels).Should().Equal(Longs(firstLabels[slice]));
        Longs(otherStep).Should().NotEqual(Longs(first));
    }

    [Fact]
    public void Loss_is_the_mean_cross_entropy_over_the_selected_positions()
    {
        using var scope = NewDisposeScope();
        double[][][] logits = [[[0.1, 2.0, -1.0, 0.5], [3.0, 0.0, 0.0, 0.0], [-0.5, 0.3, 0.8, 1.2]], [[1.0, 1.0, 1.0, 1.0], [0.2, -0.7, 1.5, 0.0], [9.0, 9.0, 9.0, 9.0]]];
        long[] labels = [2, -100, 0, -100, 3, -100]; // [B = 2, L = 3], 3 positions scored
        var input = tensor(logits.SelectMany(b => b.SelectMany(t => t)).Select(v => (float)v).ToArray()).reshape(2, 3, 4).requires_grad_(true);

        var loss = MlmMasking.Loss(input, tensor(labels).reshape(2, 3));

        double sum = 0;
        int count = 0;
        for (int b = 0; b < 2; b++)
        {
            for (int t = 0; t < 3; t++)
            {
                long label = labels[b * 3 + t];
                if (label == -100)
                {
                    continue;
                }
                double[] z = logits[b][t];
                sum += Math.Log(z.Sum(Math.Exp)) - z[label];
                count++;
            }
        }
        loss.shape.Should().BeEmpty();
        loss.item<float>().Should().BeApproximately((float)(sum / count), 1e-6f);
        loss.backward();
        input.grad![1, 2].abs().sum().item<float>().Should().Be(0f, "an unselected position gets no gradient");
        input.grad[0, 0].abs().sum().item<float>().Should().BeGreaterThan(0f);
    }

    [Fact]
    public void Loss_with_nothing_selected_is_zero_and_still_back_propagates()
    {
        using var scope = NewDisposeScope();
        var logits = randn(2, 3, 5).requires_grad_(true);

        var loss = MlmMasking.Loss(logits, full([2, 3], -100L, ScalarType.Int64));

        loss.item<float>().Should().Be(0f);
        loss.requires_grad.Should().BeTrue();
        loss.backward();
        logits.grad.Should().NotBeNull();
        logits.grad!.abs().sum().item<float>().Should().Be(0f);
    }

    /// <summary>
    /// Rows of [CLS] w… [SEP] [PAD]…, words in [4, vocab), lengths 8..31 tokens before padding.
    /// Returns the ids tensor and a flat copy of it (to compare after the call, which must not touch it).
    /// </summary>
    private static (Tensor Ids, long[] Flat) Captions(int seed, int vocab = Vocab)
    {
        var random = new Random(seed);
        var flat = new long[Rows * Length];
        for (int row = 0; row < Rows; row++)
        {
            int words = random.Next(6, Length - 1);
            flat[row * Length] = Cls;
            for (int t = 1; t <= words; t++)
            {
                flat[row * Length + t] = random.Next(4, vocab);
            }
            flat[row * Length + words + 1] = Sep;
            // the rest stays Pad (0)
        }
        return (tensor(flat).reshape(Rows, Length), flat);
    }

    private static long[] Longs(Tensor t) => t.contiguous().data<long>().ToArray();

    private static SampleKeys Keys(long step, int count) =>
        new(Seed: 77, Step: step, Indices: [.. Enumerable.Range(0, count).Select(i => 500L + i)]);
}
