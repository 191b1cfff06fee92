using Umt.Models.Clip;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Clip;

/// <summary>
/// The OpenAI CLIP vision tower against a float64 re-implementation written here with plain
/// arrays (clip/model.py <c>VisionTransformer</c>: conv patchify, CLS, positions, ln_pre, pre-norm
/// blocks with packed q;k;v attention and QuickGELU, ln_post, proj), on a tiny tower whose every
/// parameter, LayerNorms included, is random.
/// </summary>
public sealed class ClipVisionForwardTests
{
    // Width 16, 2 blocks of 2 heads (head width 8), patch 4 on a 3×3 grid (12² images), output 8.
    private static readonly ClipVisionConfig Tiny = new(Width: 16, Layers: 2, Heads: 2, PatchSize: 4, GridSide: 3, OutputWidth: 8);

    private const double Tolerance = 1e-5;

    [Fact]
    public void Residual_streams_and_cls_attention_match_a_float64_forward_pass()
    {
        using var scope = NewDisposeScope();
        using var tower = RandomTower(seed: 1);
        var images = randn([2, 3, 12, 12], generator: new Generator(2)); // [B, 3, H, W]
        var parameters = Doubles(tower);

        var output = tower.Encode(images, [0, 1], withAttention: true);

        output.Layers.shape.Should().Equal(2, 2, 9, 16); // [K, B, P, D]
        output.ClsAttention!.shape.Should().Equal(2, 9); // [B, P]
        output.ClsAttention.dtype.Should().Be(ScalarType.Float32);
        var expected = Reference(parameters, ToDoubles(images), batch: 2, side: 12, parameters["positional_embedding"], keep: [0, 1]);
        MaxDifference(output.Layers, expected.Layers).Should().BeLessThan(Tolerance);
        MaxDifference(output.ClsAttention, expected.ClsAttention).Should().BeLessThan(Tolerance);
        // Patch keys only, not renormalised: the CLS key's share is missing from every row.
        var rowSums = output.ClsAttention.sum(1).data<float>().ToArray();
        rowSums.Should().OnlyContain(s => s > 0f && s < 1f);
    }

    [Fact]
    public void Only_the_requested_blocks_are_returned_and_no_attention_unless_asked()
    {
        using var scope = NewDisposeScope();
        using var tower = RandomTower(seed: 3);
        var images = randn([2, 3, 12, 12], generator: new Generator(4)); // [B, 3, H, W]
        var parameters = Doubles(tower);

        var output = tower.Encode(images, [1], withAttention: false);

        output.ClsAttention.Should().BeNull();
        output.Layers.shape.Should().Equal(1, 2, 9, 16);
        var expected = Reference(parameters, ToDoubles(images), batch: 2, side: 12, parameters["positional_embedding"], keep: [1]);
        MaxDifference(output.Layers, expected.Layers).Should().BeLessThan(Tolerance);

        var first = tower.Encode(images, [0], withAttention: false);
        var expectedFirst = Reference(parameters, ToDoubles(images), batch: 2, side: 12, parameters["positional_embedding"], keep: [0]);
        MaxDifference(first.Layers, expectedFirst.Layers).Should().BeLessThan(Tolerance);
        MaxDifference(first.Layers, expected.Layers).Should().BeGreaterThan(1e-2, "block 0 and block 1 are different streams");
    }

    [Theory]
    [InlineData(new[] { 1, 0 })]
    [InlineData(new[] { 2 })]
    [InlineData(new[] { -1 })]
    [InlineData(new int[0])]
    public void Layers_must_be_ascending_block_indices(int[] layers)
    {
        using var scope = NewDisposeScope();
        using var tower = new ClipVisionTransformer(Tiny);
        var images = zeros(1, 3, 12, 12);

        var encode = () => tower.Encode(images, layers, withAttention: false);

        encode.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void At_another_grid_the_tower_reads_the_bicubic_resized_table()
    {
        // 20² images give a 5×5 grid, so the 3×3 table's patch rows are resized to 25 rows.
        using var scope = NewDisposeScope();
        using var tower = RandomTower(seed: 5);
        var images = randn([1, 3, 20, 20], generator: new Generator(6)); // [B, 3, H, W]
        var parameters = Doubles(tower);
        var positions = ResizeTable(parameters["positional_embedding"], 3, 5, 16);

        var output = tower.Encode(images, [0, 1], withAttention: true);

        output.Layers.shape.Should().Equal(2, 1, 25, 16);
        var expected = Reference(parameters, ToDoubles(images), batch: 1, side: 20, positions, keep: [0, 1]);
        MaxDifference(output.Layers, expected.Layers).Should().BeLessThan(Tolerance);
        MaxDifference(output.ClsAttention!, expected.ClsAttention).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Position_table_is_the_parameter_itself_at_the_native_grid()
    {
        using var scope = NewDisposeScope();
        using var tower = RandomTower(seed: 7);
        var stored = tower.state_dict()["positional_embedding"];

        var table = tower.PositionTable(3);

        table.shape.Should().Equal(10, 16);
        table.equal(stored).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Position_table_at_another_grid_is_a_bicubic_resize_of_the_patch_rows_with_the_cls_row_kept()
    {
        using var scope = NewDisposeScope();
        using var tower = RandomTower(seed: 8);
        var parameters = Doubles(tower);

        var larger = tower.PositionTable(5);  // [1 + 25, D]
        var smaller = tower.PositionTable(2); // [1 + 4, D]

        larger.shape.Should().Equal(26, 16);
        smaller.shape.Should().Equal(5, 16);
        MaxDifference(larger, ResizeTable(parameters["positional_embedding"], 3, 5, 16)).Should().BeLessThan(Tolerance);
        MaxDifference(smaller, ResizeTable(parameters["positional_embedding"], 3, 2, 16)).Should().BeLessThan(Tolerance);
        MaxDifference(larger[..1], parameters["positional_embedding"][..16]).Should().Be(0, "the CLS row is never resized");
    }

    [Fact]
    public void A_table_that_varies_along_the_width_only_still_does_after_resizing()
    {
        // Row 1 + h·G + w holds (w + 1)·(d + 1) in channel d: constant down each column. A resize
        // that swapped h and w would make it vary along h instead.
        using var scope = NewDisposeScope();
        using var tower = new ClipVisionTransformer(Tiny);
        using (no_grad())
        {
            var table = tower.state_dict()["positional_embedding"]; // [10, 16]
            table[0].fill_(-7f);
            for (int h = 0; h < 3; h++)
            {
                for (int w = 0; w < 3; w++)
                {
                    table[1 + h * 3 + w].copy_(arange(1, 17, dtype: ScalarType.Float32) * (w + 1));
                }
            }
        }

        var resized = tower.PositionTable(5).detach(); // [26, 16]

        var rows = resized[1..].reshape(5, 5, 16);     // [h, w, D]
        (rows - rows[..1]).abs().max().item<float>().Should().BeLessThan(1e-5f, "every h row is the same");
        (rows[.., 1..] - rows[.., ..^1]).min().item<float>().Should().BeGreaterThan(0f, "the values still grow along w");
        (resized[0] + 7f).abs().max().item<float>().Should().Be(0f, "the CLS row is kept as is");
    }

    [Fact]
    public void Project_is_ln_post_then_proj()
    {
        using var scope = NewDisposeScope();
        using var tower = RandomTower(seed: 9);
        var parameters = Doubles(tower);
        var tokens = randn([2, 3, 16], generator: new Generator(10)); // [..., D]

        var projected = tower.Project(tokens);

        projected.shape.Should().Equal(2, 3, 8);
        var x = ToDoubles(tokens);
        var expected = new double[2 * 3 * 8];
        for (int row = 0; row < 6; row++)
        {
            var normed = LayerNorm(x.AsSpan(row * 16, 16).ToArray(), parameters["ln_post.weight"], parameters["ln_post.bias"]);
            for (int c = 0; c < 8; c++)
            {
                double sum = 0;
                for (int d = 0; d < 16; d++)
                {
                    sum += normed[d] * parameters["proj"][d * 8 + c]; // proj [D, C], used as x @ proj
                }
                expected[row * 8 + c] = sum;
            }
        }
        MaxDifference(projected, expected).Should().BeLessThan(Tolerance);
    }

    /// <summary>A tiny tower with every parameter drawn from randn (matrices scaled by 1/√fan-in).</summary>
    private static ClipVisionTransformer RandomTower(int seed)
    {
        var tower = new ClipVisionTransformer(Tiny);
        using var generator = new Generator((ulong)seed);
        using (no_grad())
        {
            foreach (var parameter in tower.state_dict().Values)
            {
                double scale = parameter.dim() == 1 ? 1.0 : 1.0 / Math.Sqrt(parameter.numel() / parameter.shape[0]);
                parameter.copy_(randn(parameter.shape, generator: generator) * scale);
            }
        }
        return tower;
    }

    private static Dictionary<string, double[]> Doubles(ClipVisionTransformer tower) =>
        tower.state_dict().ToDictionary(p => p.Key, p => ToDoubles(p.Value));

    private static double[] ToDoubles(Tensor t)
    {
        using var asDouble = t.detach().to(ScalarType.Float64).contiguous();
        return asDouble.data<double>().ToArray();
    }

    private static double MaxDifference(Tensor actual, double[] expected)
    {
        var values = ToDoubles(actual);
        values.Length.Should().Be(expected.Length);
        return values.Zip(expected, (a, e) => Math.Abs(a - e)).Max();
    }

    /// <summary>
    /// The tower written out in float64: returns the patch rows of the residual stream after each
    /// block in <paramref name="keep"/> (flat [K, B, P, D]) and the last block's head-averaged
    /// CLS-query softmax over the patch keys (flat [B, P]).
    /// </summary>
    private static (double[] Layers, double[] ClsAttention) Reference(Dictionary<string, double[]> p, double[] images, int batch, int side, double[] positions, int[] keep)
    {
        const int D = 16, Heads = 2, Dh = D / Heads, Patch = 4, Hidden = 4 * D;
        int grid = side / Patch, patches = grid * grid, tokens = 1 + patches;
        var layers = new double[keep.Length * batch * patches * D];
        var attention = new double[batch * patches];
        for (int b = 0; b < batch; b++)
        {
            // 1. tokens: CLS, then conv1 on each patch in row-major (h, w) order, plus positions; ln_pre
            var x = new double[tokens][];
            x[0] = (double[])p["class_embedding"].Clone();
            for (int gh = 0; gh < grid; gh++)
            {
                for (int gw = 0; gw < grid; gw++)
                {
                    var token = new double[D];
                    for (int d = 0; d < D; d++)
                    {
                        for (int ch = 0; ch < 3; ch++)
                        {
                            for (int i = 0; i < Patch; i++)
                            {
                                for (int j = 0; j < Patch; j++)
                                {
                                    token[d] += p["conv1.weight"][((d * 3 + ch) * Patch + i) * Patch + j]
                                        * images[((b * 3 + ch) * side + gh * Patch + i) * side + gw * Patch + j];
                                }
                            }
                        }
                    }
                    x[1 + gh * grid + gw] = token;
                }
            }
            for (int n = 0; n < tokens; n++)
            {
                for (int d = 0; d < D; d++)
                {
                    x[n][d] += positions[n * D + d];
                }
                x[n] = LayerNorm(x[n], p["ln_pre.weight"], p["ln_pre.bias"]);
            }

            // 2. pre-norm residual blocks
            for (int block = 0; block < Tiny.Layers; block++)
            {
                string at = $"transformer.resblocks.{block}.";
                var qkv = x.Select(row => Affine(LayerNorm(row, p[at + "ln_1.weight"], p[at + "ln_1.bias"]), p[at + "attn.in_proj_weight"], p[at + "attn.in_proj_bias"], 3 * D)).ToArray();
                var merged = new double[tokens][];
                for (int n = 0; n < tokens; n++)
                {
                    merged[n] = new double[D];
                }
                for (int h = 0; h < Heads; h++)
                {
                    for (int n = 0; n < tokens; n++)
                    {
                        var scores = new double[tokens];
                        for (int m = 0; m < tokens; m++)
                        {
                            for (int e = 0; e < Dh; e++)
                            {
                                scores[m] += qkv[n][h * Dh + e] * qkv[m][D + h * Dh + e]; // q rows first, then k
                            }
                            scores[m] /= Math.Sqrt(Dh);
                        }
                        double max = scores.Max();
                        var exp = scores.Select(s => Math.Exp(s - max)).ToArray();
                        double total = exp.Sum();
                        for (int m = 0; m < tokens; m++)
                        {
                            double weight = exp[m] / total;
                            for (int e = 0; e < Dh; e++)
                            {
                                merged[n][h * Dh + e] += weight * qkv[m][2 * D + h * Dh + e]; // then v
                            }
                            if (n == 0 && m > 0 && block == Tiny.Layers - 1)
                            {
                                attention[b * patches + m - 1] += weight / Heads;
                            }
                        }
                    }
                }
                for (int n = 0; n < tokens; n++)
                {
                    var attended = Affine(merged[n], p[at + "attn.out_proj.weight"], p[at + "attn.out_proj.bias"], D);
                    for (int d = 0; d < D; d++)
                    {
                        x[n][d] += attended[d];
                    }
                    var hidden = Affine(LayerNorm(x[n], p[at + "ln_2.weight"], p[at + "ln_2.bias"]), p[at + "mlp.c_fc.weight"], p[at + "mlp.c_fc.bias"], Hidden);
                    var activated = hidden.Select(v => v / (1 + Math.Exp(-1.702 * v))).ToArray(); // QuickGELU: v·σ(1.702v)
                    var mlp = Affine(activated, p[at + "mlp.c_proj.weight"], p[at + "mlp.c_proj.bias"], D);
                    for (int d = 0; d < D; d++)
                    {
                        x[n][d] += mlp[d];
                    }
                }
                int k = Array.IndexOf(keep, block);
                if (k >= 0)
                {
                    for (int n = 1; n < tokens; n++)
                    {
                        x[n].CopyTo(layers, ((k * batch + b) * patches + n - 1) * D);
                    }
                }
            }
        }
        return (layers, attention);
    }

    /// <summary>y = W x + b for a torch Linear weight [outputs, inputs] stored row-major.</summary>
    private static double[] Affine(double[] x, double[] weight, double[] bias, int outputs)
    {
        var y = new double[outputs];
        for (int o = 0; o < outputs; o++)
        {
            double sum = bias[o];
            for (int i = 0; i < x.Length; i++)
            {
                sum += weight[o * x.Length + i] * x[i];
            }
            y[o] = sum;
        }
        return y;
    }

    /// <summary>LayerNorm by its formula: biased variance, eps 1e-5 (torch's default, OpenAI's).</summary>
    private static double[] LayerNorm(double[] x, double[] weight, double[] bias)
    {
        double mean = x.Average();
        double variance = x.Select(v => (v - mean) * (v - mean)).Average();
        double inverse = 1 / Math.Sqrt(variance + 1e-5);
        return x.Select((v, i) => (v - mean) * inverse * weight[i] + bias[i]).ToArray();
    }

    /// <summary>
    /// The positional table for another grid, written out: CLS row as is, patch rows resized by
    /// torch's bicubic rule (align_corners false: source = (dst + ½)·in/out − ½, cubic convolution
    /// with A = −0.75, indices clamped at the border), separably along h and w.
    /// </summary>
    private static double[] ResizeTable(double[] table, int from, int to, int width)
    {
        var result = new double[(1 + to * to) * width];
        Array.Copy(table, result, width);
        var (taps, weights) = CubicTaps(from, to);
        for (int y = 0; y < to; y++)
        {
            for (int x = 0; x < to; x++)
            {
                for (int i = 0; i < 4; i++)
                {
                    for (int j = 0; j < 4; j++)
                    {
                        int source = 1 + taps[y, i] * from + taps[x, j];
                        double weight = weights[y, i] * weights[x, j];
                        for (int d = 0; d < width; d++)
                        {
                            result[(1 + y * to + x) * width + d] += weight * table[source * width + d];
                        }
                    }
                }
            }
        }
        return result;
    }

    private static (int[,] Indices, double[,] Weights) CubicTaps(int from, int to)
    {
        const double A = -0.75;
        static double Near(double t) => ((A + 2) * t - (A + 3)) * t * t + 1;           // |t| ≤ 1
        static double Far(double t) => ((A * t - 5 * A) * t + 8 * A) * t - 4 * A;       // 1 < |t| < 2
        var indices = new int[to, 4];
        var weights = new double[to, 4];
        for (int o = 0; o < to; o++)
        {
            double source = (o + 0.5) * from / to - 0.5;
            int floor = (int)Math.Floor(source);
            double t = source - floor;
            double[] w = [Far(t + 1), Near(t), Near(1 - t), Far(2 - t)];
            for (int i = 0; i < 4; i++)
            {
                indices[o, i] = Math.Clamp(floor - 1 + i, 0, from - 1);
                weights[o, i] = w[i];
            }
        }
        return (indices, weights);
    }
}
