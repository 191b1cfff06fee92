using Umt.Abstractions.Randomness;
using Umt.Plugins.Objectives.Vtm;
using static TorchSharp.torch;

namespace Umt.Tests.Objectives.Stage2;

/// <summary>
/// The VTM hard-negative draw (criterions.py <c>vtm_loss</c>, <c>vtm_hard_neg=True</c>) and the
/// matching loss: never a positive, frequencies of the reference's softmax weights, keyed per row.
/// </summary>
public sealed class HardNegativesTests
{
    /// <summary>Logit far below every other one: its softmax weight is exactly 0 in float64.</summary>
    private const double Excluded = -1e4;

    [Fact]
    public void Never_draws_a_positive_including_rows_with_duplicate_ids()
    {
        using var scope = NewDisposeScope();
        long[] ids = [0, 1, 0, 2, 1, 3, 0];
        using var generator = new Generator(5);
        var sim = randn([7, 7], generator: generator); // [7, 7] logits of order 1: every negative has real weight
        var seen = new HashSet<(int Row, long Pick)>();

        for (long step = 0; step < 300; step++)
        {
            var (videoForText, textForVideo) = Draws(sim, ids, Keys(step, 7));

            for (int row = 0; row < 7; row++)
            {
                videoForText[row].Should().BeInRange(0, 6);
                textForVideo[row].Should().BeInRange(0, 6);
                ids[videoForText[row]].Should().NotBe(ids[row], $"row {row} must get a negative video (step {step})");
                ids[textForVideo[row]].Should().NotBe(ids[row], $"row {row} must get a negative text (step {step})");
                seen.Add((row, videoForText[row]));
            }
        }
        // Row 0 (id 0) has 4 negatives, and all are drawn at some point.
        seen.Where(s => s.Row == 0).Select(s => s.Pick).Should().BeEquivalentTo(new long[] { 1, 3, 4, 5 });
    }

    [Fact]
    public void Draw_frequencies_match_the_softmax_over_the_negatives_most_similar_most_often()
    {
        // Every row i has its positive (i) and three candidates i+1, i+2, i+3 (mod B) with logits
        // 3, 1, 0; every other logit is Excluded (weight exactly 0). So each row is one draw from the
        // same 3-way distribution and one call gives B independent draws. The matrix is not
        // symmetric, so the text→video direction reads columns: candidates i−1, i−2, i−3.
        const int batch = 1000;
        using var scope = NewDisposeScope();
        var sim = new double[batch * batch];
        Array.Fill(sim, Excluded);
        double[] offsets = [3, 1, 0];
        for (int i = 0; i < batch; i++)
        {
            sim[i * batch + i] = 6; // the positive, the most similar of all
            for (int k = 0; k < 3; k++)
            {
                sim[i * batch + (i + k + 1) % batch] = offsets[k];
            }
        }
        var simTensor = tensor(sim, [batch, batch]).to(ScalarType.Float32); // [B, B]
        long[] ids = [.. Enumerable.Range(0, batch).Select(i => (long)i)]; // all distinct
        var textCounts = new int[3];
        var videoCounts = new int[3];
        const int steps = 4;

        for (long step = 0; step < steps; step++)
        {
            var (videoForText, textForVideo) = Draws(simTensor, ids, Keys(step, batch));
            for (int i = 0; i < batch; i++)
            {
                int textOffset = (int)((textForVideo[i] - i + batch) % batch) - 1;  // 0, 1, 2 for i+1, i+2, i+3
                int videoOffset = (int)((i - videoForText[i] + batch) % batch) - 1; // 0, 1, 2 for i−1, i−2, i−3
                textOffset.Should().BeInRange(0, 2, "a zero-weight candidate is never drawn");
                videoOffset.Should().BeInRange(0, 2, "a zero-weight candidate is never drawn");
                textCounts[textOffset]++;
                videoCounts[videoOffset]++;
            }
        }

        // Expected: softmax over the whole row with the positive zeroed, renormalised by multinomial.
        double denominator = offsets.Sum(Math.Exp);
        double[] expected = offsets.Select(o => Math.Exp(o) / denominator).ToArray(); // ≈ 0.844, 0.114, 0.042
        const int draws = steps * batch;
        for (int k = 0; k < 3; k++)
        {
            double tolerance = 5 * Math.Sqrt(expected[k] * (1 - expected[k]) / draws);
            ((double)textCounts[k] / draws).Should().BeApproximately(expected[k], tolerance, $"text candidate +{k + 1}");
            ((double)videoCounts[k] / draws).Should().BeApproximately(expected[k], tolerance, $"video candidate −{k + 1}");
        }
        textCounts[0].Should().BeGreaterThan(textCounts[1] + textCounts[2], "the most similar negative dominates");
        videoCounts[0].Should().BeGreaterThan(videoCounts[1] + videoCounts[2], "the most similar negative dominates");
    }

    [Fact]
    public void Same_keys_give_the_same_draws_and_a_row_depends_only_on_its_own_key()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        var sim = randn([6, 6], generator: generator) * 3; // [6, 6]
        long[] ids = [10, 11, 12, 13, 14, 15];
        var keys = new SampleKeys(Seed: 3, Step: 9, Indices: [40, 41, 42, 43, 44, 45]);
        // Other rows are different samples; row 2 is the same sample as before.
        var others = new SampleKeys(Seed: 3, Step: 9, Indices: [90, 91, 42, 93, 94, 95]);

        var first = Draws(sim, ids, keys);
        var again = Draws(sim, ids, keys);
        var changed = Draws(sim, ids, others);

        again.VideoForText.Should().Equal(first.VideoForText);
        again.TextForVideo.Should().Equal(first.TextForVideo);
        changed.VideoForText[2].Should().Be(first.VideoForText[2]);
        changed.TextForVideo[2].Should().Be(first.TextForVideo[2]);
        // Another step draws anew somewhere (6 rows × 2 directions all equal by chance is negligible).
        var next = Draws(sim, ids, keys with { Step = 10 });
        (next.VideoForText.SequenceEqual(first.VideoForText) && next.TextForVideo.SequenceEqual(first.TextForVideo))
            .Should().BeFalse();
    }

    [Fact]
    public void Two_processes_with_their_key_slices_draw_what_one_process_draws_for_the_same_rows()
    {
        // One process with 2b rows whose cross-half logits are Excluded (weight 0) has, per row, the
        // very weights that each of two processes computes on its own b rows; with keys.Slice the
        // draws must then coincide row by row.
        const int half = 5;
        using var scope = NewDisposeScope();
        using var generator = new Generator(17);
        var blocks = new[] { randn([half, half], ScalarType.Float64, generator: generator) * 4, randn([half, half], ScalarType.Float64, generator: generator) * 4 };
        var global = full([2 * half, 2 * half], Excluded, ScalarType.Float64); // [2b, 2b]
        global[TensorIndex.Slice(0, half), TensorIndex.Slice(0, half)] = blocks[0];
        global[TensorIndex.Slice(half, 2 * half), TensorIndex.Slice(half, 2 * half)] = blocks[1];
        long[] ids = [.. Enumerable.Range(100, 2 * half).Select(i => (long)i)];
        var keys = new SampleKeys(Seed: 1, Step: 2, Indices: [.. Enumerable.Range(0, 2 * half).Select(i => 1000L + 7 * i)]);

        for (int repeat = 0; repeat < 20; repeat++)
        {
            var stepKeys = keys with { Step = repeat };
            var whole = Draws(global, ids, stepKeys);
            for (int process = 0; process < 2; process++)
            {
                int start = process * half;
                var local = Draws(blocks[process], ids[start..(start + half)], stepKeys.Slice(start, half));
                for (int row = 0; row < half; row++)
                {
                    (local.VideoForText[row] + start).Should().Be(whole.VideoForText[start + row]);
                    (local.TextForVideo[row] + start).Should().Be(whole.TextForVideo[start + row]);
                }
            }
        }
    }

    [Fact]
    public void A_row_with_nan_similarities_draws_uniformly_among_its_negatives()
    {
        // softmax of a row holding a NaN is NaN throughout; positives are zeroed first, the rest become 1e-2.
        using var scope = NewDisposeScope();
        var sim = tensor(new float[] { float.NaN, 2, 1, 0, 0, 5, 0, 0, 0, 0, 5, 0, 1, 2, 3, 5 }).reshape(4, 4); // [4, 4]
        long[] ids = [0, 1, 2, 3];
        var counts = new int[4];
        const int steps = 600;

        for (long step = 0; step < steps; step++)
        {
            counts[Draws(sim, ids, Keys(step, 4)).TextForVideo[0]]++;
        }

        counts[0].Should().Be(0);
        foreach (int count in counts.Skip(1))
        {
            ((double)count / steps).Should().BeApproximately(1.0 / 3, 0.1, "the finite logits 2, 1, 0 are ignored in a NaN row");
        }
    }

    [Fact]
    public void A_row_whose_negative_weights_all_underflow_takes_the_most_similar_negative()
    {
        // Logit gaps of 800+ underflow exp in float64: the reference's weights are all 0 (multinomial
        // would fail); the fallback is the softmax over the negatives alone, i.e. candidate 1 here.
        using var scope = NewDisposeScope();
        var sim = tensor(new double[] { 0, -800, -900, -1000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }).reshape(4, 4); // [4, 4]
        long[] ids = [0, 1, 2, 3];

        for (long step = 0; step < 50; step++)
        {
            Draws(sim, ids, Keys(step, 4)).TextForVideo[0].Should().Be(1);
        }
    }

    [Fact]
    public void A_batch_whose_ids_are_all_equal_has_no_negative_and_throws()
    {
        using var scope = NewDisposeScope();
        var act = () => HardNegatives.Sample(zeros(3, 3), [4, 4, 4], Keys(0, 3));
        var single = () => HardNegatives.Sample(zeros(1, 1), [9], Keys(0, 1));

        act.Should().Throw<InvalidOperationException>().WithMessage("*no negative*");
        single.Should().Throw<InvalidOperationException>();
        HardNegatives.HasNegative([4, 4, 4]).Should().BeFalse();
        HardNegatives.HasNegative([9]).Should().BeFalse();
        HardNegatives.HasNegative([4, 4, 5]).Should().BeTrue("the third row has two negatives and each 4 has the 5");
    }

    [Fact]
    public void Loss_is_the_cross_entropy_with_label_1_for_the_first_third()
    {
        using var scope = NewDisposeScope();
        double[][] logits = [[0.2, 1.5], [-0.3, 0.4], [2.0, -1.0], [0.5, 0.5], [-1.2, 0.7], [0.9, 0.1]]; // B = 2
        var input = tensor(logits.SelectMany(r => r).Select(v => (float)v).ToArray()).reshape(6, 2).requires_grad_(true);

        var loss = HardNegatives.Loss(input);

        double expected = 0;
        for (int i = 0; i < 6; i++)
        {
            int label = i < 2 ? 1 : 0;
            double logSum = Math.Log(Math.Exp(logits[i][0]) + Math.Exp(logits[i][1]));
            expected += -(logits[i][label] - logSum);
        }
        expected /= 6;
        loss.shape.Should().BeEmpty();
        loss.item<float>().Should().BeApproximately((float)expected, 1e-6f);
        loss.backward();
        input.grad.Should().NotBeNull();
        var wrongShape = () => HardNegatives.Loss(zeros(4, 2));
        wrongShape.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void The_device_draw_picks_what_the_host_inverse_cdf_picks_row_by_row()
    {
        // The draw moved from a host loop over float64 arrays to tensor ops on the similarities'
        // device (issue 17 item 3). Written here as the host loop was: per row, the reference's
        // weights, the underflow fallback, then the first index whose running sum passes u·Σw.
        using var scope = NewDisposeScope();
        using var generator = new Generator(23);
        long[] ids = [0, 1, 0, 2, 3, 1, 4, 5];
        var logits = randn([8, 8], ScalarType.Float64, generator: generator) * 4;   // [8, 8]
        logits[1, 3] = tensor(double.NaN);                                           // a NaN row: uniform over its negatives
        logits[4] = tensor(new double[] { -900, -850, -1000, -950, 0, -990, -870, -999 }); // underflows but for the positive
        for (long step = 0; step < 40; step++)
        {
            var keys = Keys(step, 8);
            var (videoForText, textForVideo) = Draws(logits, ids, keys);
            double[,] sim = ToArray(logits);
            textForVideo.Should().Equal(HostDraws(sim, ids, keys.Uniform(HardNegatives.TextPurpose, [1], CPU)), $"step {step}");
            videoForText.Should().Equal(HostDraws(Transposed(sim), ids, keys.Uniform(HardNegatives.VideoPurpose, [1], CPU)), $"step {step}");
        }
    }

    /// <summary>The picks of <see cref="HardNegatives.Sample"/> read back as host arrays.</summary>
    private static (long[] VideoForText, long[] TextForVideo) Draws(Tensor sim, long[] ids, SampleKeys keys)
    {
        var (videoForText, textForVideo) = HardNegatives.Sample(sim, ids, keys);
        return (videoForText.data<long>().ToArray(), textForVideo.data<long>().ToArray());
    }

    /// <summary>Row by row in float64: softmax(l + 1e-4), positives 0, non-finite 1e-2; all zero → exp(l − max over negatives); inverse CDF.</summary>
    private static long[] HostDraws(double[,] logits, long[] ids, Tensor uniform)
    {
        int b = ids.Length;
        float[] u = uniform.data<float>().ToArray();
        var picks = new long[b];
        for (int i = 0; i < b; i++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < b; j++)
            {
                max = Math.Max(max, logits[i, j] + 1e-4);
            }
            var w = new double[b];
            double sum = 0;
            for (int j = 0; j < b; j++)
            {
                w[j] = Math.Exp(logits[i, j] + 1e-4 - max);
                sum += w[j];
            }
            for (int j = 0; j < b; j++)
            {
                w[j] = ids[j] == ids[i] ? 0 : w[j] / sum;
                w[j] = double.IsFinite(w[j]) ? w[j] : 1e-2;
            }
            if (w.Sum() <= 0)
            {
                double negativeMax = Enumerable.Range(0, b).Where(j => ids[j] != ids[i] && !double.IsNaN(logits[i, j])).Select(j => logits[i, j]).DefaultIfEmpty(double.NegativeInfinity).Max();
                for (int j = 0; j < b; j++)
                {
                    double value = double.IsFinite(negativeMax) ? Math.Exp(logits[i, j] - negativeMax) : 1.0;
                    w[j] = ids[j] == ids[i] || double.IsNaN(value) ? 0 : value;
                }
            }
            double target = u[i] * w.Sum();
            double running = 0;
            picks[i] = -1;
            for (int j = 0; j < b && picks[i] < 0; j++)
            {
                running += w[j];
                if (w[j] > 0 && target < running)
                {
                    picks[i] = j;
                }
            }
        }
        return picks;
    }

    private static double[,] ToArray(Tensor matrix)
    {
        int n = (int)matrix.shape[0];
        double[] flat = matrix.to(ScalarType.Float64).contiguous().data<double>().ToArray();
        var result = new double[n, n];
        for (int i = 0; i < n * n; i++)
        {
            result[i / n, i % n] = flat[i];
        }
        return result;
    }

    private static double[,] Transposed(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        var result = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                result[j, i] = matrix[i, j];
            }
        }
        return result;
    }

    private static SampleKeys Keys(long step, int count) =>
        new(Seed: 2024, Step: step, Indices: [.. Enumerable.Range(0, count).Select(i => (long)i)]);
}
