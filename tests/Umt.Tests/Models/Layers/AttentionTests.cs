using Umt.Models.Layers;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Layers;

public sealed class AttentionTests
{
    [Fact]
    public void Output_matches_a_float64_softmax_attention_with_the_q_zero_v_bias_layout()
    {
        const int batch = 2, tokens = 5, width = 8, heads = 2, headWidth = width / heads;
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(7);
        using var attention = new Attention(width, heads);
        var state = attention.state_dict();
        using (no_grad())
        {
            // Non-zero biases, so a wrong (q, k, v) bias layout changes the output.
            state["q_bias"].copy_(randn(width, generator: generator));
            state["v_bias"].copy_(randn(width, generator: generator));
        }
        var x = randn(new long[] { batch, tokens, width }, generator: generator);

        var actual = attention.call(x).data<float>().ToArray();

        var input = Doubles(x);
        var qkvWeight = Doubles(state["qkv.weight"]);   // [3D, D]
        var qBias = Doubles(state["q_bias"]);
        var vBias = Doubles(state["v_bias"]);
        var projWeight = Doubles(state["proj.weight"]); // [D, D]
        var projBias = Doubles(state["proj.bias"]);
        var worst = 0.0;
        for (var b = 0; b < batch; b++)
        {
            // qkv[n, j] = x[n] · W[j] + (q_bias | 0 | v_bias)[j]
            var qkv = new double[tokens, 3 * width];
            for (var n = 0; n < tokens; n++)
            {
                for (var j = 0; j < 3 * width; j++)
                {
                    var sum = j < width ? qBias[j] : j >= 2 * width ? vBias[j - 2 * width] : 0.0;
                    for (var d = 0; d < width; d++)
                    {
                        sum += input[(b * tokens + n) * width + d] * qkvWeight[j * width + d];
                    }
                    qkv[n, j] = sum;
                }
            }
            var merged = new double[tokens, width];
            for (var h = 0; h < heads; h++)
            {
                for (var n = 0; n < tokens; n++)
                {
                    var scores = new double[tokens];
                    for (var m = 0; m < tokens; m++)
                    {
                        for (var e = 0; e < headWidth; e++)
                        {
                            scores[m] += qkv[n, h * headWidth + e] * qkv[m, width + h * headWidth + e];
                        }
                        scores[m] /= Math.Sqrt(headWidth);
                    }
                    var max = scores.Max();
                    var weights = scores.Select(s => Math.Exp(s - max)).ToArray();
                    var total = weights.Sum();
                    for (var e = 0; e < headWidth; e++)
                    {
                        for (var m = 0; m < tokens; m++)
                        {
                            merged[n, h * headWidth + e] += weights[m] / total * qkv[m, 2 * width + h * headWidth + e];
                        }
                    }
                }
            }
            for (var n = 0; n < tokens; n++)
            {
                for (var o = 0; o < width; o++)
                {
                    var expected = projBias[o];
                    for (var d = 0; d < width; d++)
                    {
                        expected += merged[n, d] * projWeight[o * width + d];
                    }
                    worst = Math.Max(worst, Math.Abs(actual[(b * tokens + n) * width + o] - expected));
                }
            }
        }
        worst.Should().BeLessThan(1e-5);
    }

    [Fact]
    public void Width_not_divisible_by_heads_is_refused()
    {
        var create = () => new Attention(10, 3);

        create.Should().Throw<ArgumentException>().WithMessage("*10*3*");
    }

    private static double[] Doubles(Tensor t)
    {
        using var asDouble = t.detach().to(ScalarType.Float64);
        return asDouble.data<double>().ToArray();
    }
}
