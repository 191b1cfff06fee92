using Umt.Models.VisionLanguage;
using Umt.Plugins.Objectives.Vtc;
using static TorchSharp.torch;

namespace Umt.Tests.Objectives.Stage2;

/// <summary>
/// The stage-2 contrastive loss (criterions.py <c>get_sim</c> / <c>vtc_loss</c>), checked against
/// float64 loops written here.
/// </summary>
public sealed class VtcLossTests
{
    [Fact]
    public void Similarity_of_a_hand_made_2_by_3_case_is_the_cosine_over_the_temperature()
    {
        using var scope = NewDisposeScope();
        double[][] vision = [[3, 4, 0], [0, 0, 2]];
        double[][] text = [[1, 0, 0], [0, 1, 1], [-1, 2, 2]];
        const double temp = 0.5;

        var sim = VisionLanguageHeads.Similarity(Floats(vision), Floats(text), tensor(0.5f)); // [2, 3]

        sim.shape.Should().Equal(2, 3);
        // By hand: v0 = (0.6, 0.8, 0), v1 = (0, 0, 1); w1 = (0, 1, 1)/√2, w2 = (−1, 2, 2)/3.
        double[,] byHand =
        {
            { 0.6 / temp, 0.8 / Math.Sqrt(2) / temp, (-0.6 + 1.6) / 3 / temp },
            { 0, 1 / Math.Sqrt(2) / temp, 2.0 / 3 / temp },
        };
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                sim[i, j].item<float>().Should().BeApproximately((float)byHand[i, j], 1e-6f);
                byHand[i, j].Should().BeApproximately(Cosine(vision[i], text[j]) / temp, 1e-12);
            }
        }
    }

    [Fact]
    public void Similarity_of_two_frames_is_the_mean_of_the_frame_cosines()
    {
        using var scope = NewDisposeScope();
        double[][][] frames = [[[1, 0], [0, 1]], [[1, 1], [-2, 1]]]; // [B = 2, T = 2, D = 2]
        double[][] text = [[1, 0], [1, -3], [0.5, 0.5]];
        var vision = stack(frames.Select(Floats).ToArray()); // [2, 2, 2]
        var temp = tensor(0.07f);

        var sim = VisionLanguageHeads.Similarity(vision, Floats(text), temp); // [2, 3]

        sim.shape.Should().Equal(2, 3);
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                double expected = (Cosine(frames[i][0], text[j]) + Cosine(frames[i][1], text[j])) / 2 / 0.07;
                sim[i, j].item<float>().Should().BeApproximately((float)expected, 1e-4f);
            }
        }
        // Not the cosine of the averaged frame: for clip 0 and caption 0 that would be cos 45° / temp.
        sim[0, 0].item<float>().Should().NotBeApproximately((float)(Math.Sqrt(0.5) / 0.07), 0.1f);
    }

    [Fact]
    public void Loss_with_duplicate_ids_equals_a_float64_hand_computation_with_soft_targets()
    {
        using var scope = NewDisposeScope();
        double[][] vision = [[0.3, -1.2, 0.5], [1.0, 0.1, -0.4], [0.2, 0.9, 0.7], [-0.8, 0.4, 0.1]];
        double[][] text = [[0.5, -0.9, 0.3], [0.7, 0.6, -0.2], [-0.1, 1.1, 0.4], [-0.6, -0.2, 0.9]];
        long[] ids = [7, 3, 7, 5]; // rows 0 and 2 are the same video: each is a positive of the other
        const double temp = 0.1;

        var loss = VtcLoss.Loss(Floats(vision), Floats(text), tensor(ids), tensor((float)temp));

        loss.shape.Should().BeEmpty();
        double expected = HandLoss(vision, text, ids, temp);
        loss.item<float>().Should().BeApproximately((float)expected, 2e-5f * (float)Math.Max(1, expected));
        // The soft targets matter: with hard diagonal targets the value is different.
        HandLoss(vision, text, [0, 1, 2, 3], temp).Should().NotBeApproximately(expected, 1e-3);
    }

    [Fact]
    public void Gradients_reach_vision_text_and_the_temperature()
    {
        using var scope = NewDisposeScope();
        double[][] visionValues = [[0.3, -1.2, 0.5], [1.0, 0.1, -0.4], [0.2, 0.9, 0.7]];
        double[][] textValues = [[0.5, -0.9, 0.3], [0.7, 0.6, -0.2], [-0.1, 1.1, 0.4]];
        long[] ids = [0, 1, 0];
        const double t = 0.2;
        var vision = Floats(visionValues).requires_grad_(true);
        var text = Floats(textValues).requires_grad_(true);
        var temp = tensor((float)t).requires_grad_(true);

        VtcLoss.Loss(vision, text, tensor(ids), temp).backward();

        foreach (var leaf in new[] { vision, text, temp })
        {
            leaf.grad.Should().NotBeNull();
            leaf.grad!.isfinite().all().item<bool>().Should().BeTrue();
            leaf.grad.abs().sum().item<float>().Should().BeGreaterThan(1e-4f);
        }
        // ∂loss/∂temp by central differences of the float64 hand computation.
        const double h = 1e-6;
        double numeric = (HandLoss(visionValues, textValues, ids, t + h) - HandLoss(visionValues, textValues, ids, t - h)) / (2 * h);
        temp.grad!.item<float>().Should().BeApproximately((float)numeric, 1e-3f * (float)Math.Max(1, Math.Abs(numeric)));
    }

    [Fact]
    public void Clamp_keeps_the_temperature_in_range_in_place_and_keeps_its_gradient()
    {
        using var scope = NewDisposeScope();
        foreach (var (value, clamped) in new[] { (0.7f, 0.5f), (1e-5f, 0.001f), (-3f, 0.001f), (0.07f, 0.07f), (0.5f, 0.5f) })
        {
            var temp = tensor(value).requires_grad_(true); // a leaf, like the nn.Parameter

            var returned = VisionLanguageHeads.ClampTemperature(temp);

            returned.Should().BeSameAs(temp);
            temp.item<float>().Should().Be(clamped, "the parameter itself is clamped, as the reference's temp.clamp_");
            temp.is_leaf.Should().BeTrue();
            temp.requires_grad.Should().BeTrue();
        }

        // Inside the range the clamp is invisible to autograd: same gradient as without it.
        var vision = Floats([[1, 2, 0], [0, 1, -1]]);
        var text = Floats([[2, 1, 0], [1, -1, 1]]);
        var ids = tensor(new long[] { 0, 1 });
        var clampedTemp = tensor(0.07f).requires_grad_(true);
        var plainTemp = tensor(0.07f).requires_grad_(true);
        VtcLoss.Loss(vision, text, ids, VisionLanguageHeads.ClampTemperature(clampedTemp)).backward();
        VtcLoss.Loss(vision, text, ids, plainTemp).backward();
        clampedTemp.grad!.item<float>().Should().Be(plainTemp.grad!.item<float>());
        clampedTemp.grad.item<float>().Should().NotBe(0f);
    }

    /// <summary>The reference's vtc_loss in float64 loops: cos/temp, soft targets, symmetric CE.</summary>
    private static double HandLoss(double[][] vision, double[][] text, long[] ids, double temp)
    {
        int n = ids.Length;
        var sim = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                sim[i, j] = Cosine(vision[i], text[j]) / temp;
            }
        }
        double i2t = 0, t2i = 0;
        for (int i = 0; i < n; i++)
        {
            int positives = ids.Count(id => id == ids[i]);
            double rowMax = Enumerable.Range(0, n).Max(j => sim[i, j]);
            double colMax = Enumerable.Range(0, n).Max(j => sim[j, i]);
            double rowLse = rowMax + Math.Log(Enumerable.Range(0, n).Sum(j => Math.Exp(sim[i, j] - rowMax)));
            double colLse = colMax + Math.Log(Enumerable.Range(0, n).Sum(j => Math.Exp(sim[j, i] - colMax)));
            for (int j = 0; j < n; j++)
            {
                double target = ids[j] == ids[i] ? 1.0 / positives : 0;
                i2t -= target * (sim[i, j] - rowLse);
                t2i -= target * (sim[j, i] - colLse);
            }
        }
        return (i2t / n + t2i / n) / 2;
    }

    private static double Cosine(double[] a, double[] b)
    {
        double dot = 0, aa = 0, bb = 0;
        for (int k = 0; k < a.Length; k++)
        {
            dot += a[k] * b[k];
            aa += a[k] * a[k];
            bb += b[k] * b[k];
        }
        return dot / Math.Sqrt(aa) / Math.Sqrt(bb);
    }

    private static Tensor Floats(double[][] rows) =>
        tensor(rows.SelectMany(r => r).Select(v => (float)v).ToArray()).reshape(rows.Length, rows[0].Length);
}
