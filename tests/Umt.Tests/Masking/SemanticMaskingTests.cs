using System.ComponentModel.DataAnnotations;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Randomness;
using Umt.Plugins.Masking.Semantic;
using static TorchSharp.torch;

namespace Umt.Tests.Masking;

/// <summary>
/// UMT's attention-guided masking (engine_for_pretraining_umt.py): per frame, a weighted draw
/// without replacement over the teacher's CLS→patch attention, the first Nv draws visible.
/// </summary>
public sealed class SemanticMaskingTests
{
    // 0.999 quantile of χ² with 5 degrees of freedom (6 visible pairs − 1): a correct sampler
    // exceeds it for a given seed with probability 1e-3.
    private const double ChiSquare5Quantile999 = 20.515;

    [Fact]
    public void Is_exported_as_semantic_with_its_options_type_and_needs()
    {
        var (factory, metadata) = MaskingTestKit.Export("semantic");
        var traits = factory.Describe(new SemanticMaskingOptions(), MaskingTestKit.Context);

        factory.OptionsType.Should().Be<SemanticMaskingOptions>();
        metadata.Description.Should().NotBeNullOrWhiteSpace();
        traits.NeedsTeacherAttention.Should().BeTrue("the draw is weighted by the teacher's attention");
        traits.NeedsTubeletOne.Should().BeTrue("attention rows are per frame");
        // UMT-B/16 stage 1: 8 frames × (196 − int(156.8)) = 8 × 40 visible.
        traits.VisiblePerClip(new TokenGrid(8, 14, 14)).Should().Be(320);
    }

    [Fact]
    public void Defaults_to_umt_ratio_and_rejects_ratios_outside_zero_to_one()
    {
        new SemanticMaskingOptions().Ratio.Should().Be(0.8);
        IsValid(new SemanticMaskingOptions { Ratio = 0.0 }).Should().BeTrue();
        IsValid(new SemanticMaskingOptions { Ratio = 0.99 }).Should().BeTrue();
        IsValid(new SemanticMaskingOptions { Ratio = 1.0 }).Should().BeFalse("a ratio of 1 leaves no visible token");
        IsValid(new SemanticMaskingOptions { Ratio = -0.1 }).Should().BeFalse();
    }

    // Visible per frame worked out by hand as P − int(Ratio·P), as the reference writes it.
    public static TheoryData<int, int, int, int, double, int, bool> Counts => new()
    {
        { 2, 8, 14, 14, 0.8, 40, false },  // UMT-B/16: 196 − int(156.8)
        { 3, 2, 7, 7, 0.9, 5, false },     // 49 − int(44.1)
        { 1, 4, 5, 5, 0.75, 7, false },    // 25 − int(18.75)
        { 4, 1, 10, 10, 0.29, 72, false }, // 100 − int(28.999999999999996)
        { 2, 2, 4, 4, 0.0, 16, false },    // nothing hidden
        { 2, 8, 14, 14, 0.8, 40, true },   // with zero attention weights
        { 3, 3, 4, 4, 0.5, 8, true },
        { 2, 2, 2, 2, 0.5, 2, true },      // P = 4
    };

    [Theory]
    [MemberData(nameof(Counts))]
    public void Every_frame_keeps_exactly_P_minus_int_ratio_P_tokens_visible(int clips, int t, int h, int w, double ratio, int visiblePerFrame, bool zeros)
    {
        using var scope = NewDisposeScope();
        var grid = new TokenGrid(t, h, w);
        var attention = RandomAttention(clips * t, grid.PerSlot, seed: 11); // [B·T, P]
        if (zeros)
        {
            // Frame r keeps only r mod (P + 1) positive weights (at least one), so some frames have
            // fewer positive weights than visible slots and the zeros must fill up the count.
            var keep = arange(grid.PerSlot).unsqueeze(0) < (arange(clips * t) % (grid.PerSlot + 1)).clamp_min(1).unsqueeze(1); // [B·T, P]
            attention = attention * keep;                                                                                    // [B·T, P]
        }
        var keys = MaskingTestKit.Keys(step: 2, first: 30, count: clips);

        var frames = Frames(~Mask(ratio, grid, keys, attention), grid); // per frame, true = visible

        frames.Should().AllSatisfy(frame => frame.Count(v => v).Should().Be(visiblePerFrame));
        MaskingTestKit.Export("semantic").Factory.Describe(new SemanticMaskingOptions { Ratio = ratio }, MaskingTestKit.Context).VisiblePerClip(grid).Should().Be(t * visiblePerFrame);
        if (zeros)
        {
            // Zero weights are drawn last: a frame with at least Nv positive weights shows only
            // positive-weight tokens, one with fewer shows all of them.
            var positive = Frames(attention > 0, grid);
            for (int r = 0; r < frames.Length; r++)
            {
                int positives = positive[r].Count(p => p);
                int visiblePositive = Enumerable.Range(0, grid.PerSlot).Count(p => frames[r][p] && positive[r][p]);
                visiblePositive.Should().Be(Math.Min(positives, visiblePerFrame), $"frame row {r} has {positives} positive weights");
            }
        }
    }

    [Fact]
    public void Visible_pairs_follow_the_exact_without_replacement_probabilities()
    {
        // P = 4 tokens with weights w, Nv = 2 (Ratio 0.5). The reference draws
        // multinomial(w, 4, replacement=False) and keeps the first two draws, so the visible pair
        // {i, j} has probability w_i·w_j/(1 − w_i) + w_j·w_i/(1 − w_j), enumerated here in float64.
        double[] weights = [0.5, 0.3, 0.15, 0.05];
        const int rows = 20_000;
        var pairs = Pairs(weights.Length);
        var exact = pairs.Select(p => weights[p.I] * weights[p.J] / (1 - weights[p.I]) + weights[p.J] * weights[p.I] / (1 - weights[p.J])).ToArray();
        exact.Sum().Should().BeApproximately(1, 1e-12);
        var inclusion = Enumerable.Range(0, weights.Length).Select(k => pairs.Select((p, n) => p.I == k || p.J == k ? exact[n] : 0).Sum()).ToArray();

        // 20 000 clips of one 2×2 frame, one call, each clip with its own keys.
        var grid = new TokenGrid(T: 1, H: 2, W: 2);
        using var attention = tensor(weights.Select(v => (float)v).ToArray()).unsqueeze(0).expand(rows, weights.Length).contiguous(); // [B·T, P]
        using var mask = Mask(0.5, grid, MaskingTestKit.Keys(step: 0, first: 0, count: rows), attention);                            // [B, N]
        var frames = Frames(~mask, grid);
        var observed = pairs.Select(p => (double)frames.Count(f => f[p.I] && f[p.J])).ToArray();
        observed.Sum().Should().Be(rows, "every frame shows exactly one pair");

        // Goodness of fit on the 6 pairs ...
        ChiSquare(observed, exact).Should().BeLessThan(ChiSquare5Quantile999);
        // ... which has the power to reject plausible wrong samplers on the same counts: uniform
        // pairs (attention ignored) and pairs ∝ w_i·w_j (independent inclusion, a common mistake).
        ChiSquare(observed, pairs.Select(_ => 1.0 / pairs.Length).ToArray()).Should().BeGreaterThan(ChiSquare5Quantile999);
        var product = pairs.Select(p => weights[p.I] * weights[p.J]).ToArray();
        ChiSquare(observed, product.Select(v => v / product.Sum()).ToArray()).Should().BeGreaterThan(ChiSquare5Quantile999);

        // Per token, the visible frequency is Binomial(rows, π_k)/rows; 5 standard deviations.
        for (int k = 0; k < weights.Length; k++)
        {
            double frequency = frames.Count(f => f[k]) / (double)rows;
            frequency.Should().BeApproximately(inclusion[k], 5 * Math.Sqrt(inclusion[k] * (1 - inclusion[k]) / rows), $"token {k} (weight {weights[k]})");
        }
    }

    [Fact]
    public void Same_keys_and_attention_give_the_same_mask_and_other_keys_or_attention_another()
    {
        using var scope = NewDisposeScope();
        var grid = new TokenGrid(T: 2, H: 7, W: 7);
        var keys = MaskingTestKit.Keys(step: 3, first: 10, count: 4);
        var attention = RandomAttention(4 * grid.T, grid.PerSlot, seed: 3); // [B·T, P]

        var first = Mask(0.5, grid, keys, attention);
        var again = Mask(0.5, grid, keys, attention.clone());

        again.equal(first).all().item<bool>().Should().BeTrue();
        // C(49, 25)² possible masks per clip: equal masks would mean an input is ignored.
        Mask(0.5, grid, keys with { Step = 4 }, attention).equal(first).all().item<bool>().Should().BeFalse("another step draws other noise");
        Mask(0.5, grid, keys with { Seed = 8 }, attention).equal(first).all().item<bool>().Should().BeFalse("another seed draws other noise");
        Mask(0.5, grid, keys, RandomAttention(4 * grid.T, grid.PerSlot, seed: 4)).equal(first).all().item<bool>().Should().BeFalse("the attention weights the draw");
    }

    [Fact]
    public void A_clip_has_the_same_mask_alone_or_anywhere_in_a_batch()
    {
        using var scope = NewDisposeScope();
        var grid = new TokenGrid(T: 3, H: 4, W: 4);
        var keys = MaskingTestKit.Keys(step: 5, first: 100, count: 4);
        var attention = RandomAttention(4 * grid.T, grid.PerSlot, seed: 9); // [B·T, P], clip b = rows b·T .. b·T + T − 1
        Tensor Clip(int b) => attention.narrow(0, b * grid.T, grid.T);       // [T, P]

        var whole = Mask(0.75, grid, keys, attention); // [4, N]

        for (int b = 0; b < 4; b++)
        {
            var alone = Mask(0.75, grid, keys.Slice(b, 1), Clip(b)); // [1, N]
            alone.equal(whole.narrow(0, b, 1)).all().item<bool>().Should().BeTrue($"clip {b} drawn alone matches its row of the batch of 4");
        }
        var split = cat([Mask(0.75, grid, keys.Slice(0, 2), attention.narrow(0, 0, 2 * grid.T)), Mask(0.75, grid, keys.Slice(2, 2), attention.narrow(0, 2 * grid.T, 2 * grid.T))], 0);
        split.equal(whole).all().item<bool>().Should().BeTrue("two processes with batch 2 draw what one with batch 4 draws");
        var reordered = Mask(0.75, grid, keys with { Indices = [103, 100] }, cat([Clip(3), Clip(0)], 0)); // [2, N]
        reordered[0].equal(whole[3]).all().item<bool>().Should().BeTrue();
        reordered[1].equal(whole[0]).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void High_attention_tokens_stay_visible_and_true_means_hidden()
    {
        using var scope = NewDisposeScope();
        // P = 16, Ratio 0.75: 12 hidden, 4 visible per frame. Four tokens carry 97 % of the weight.
        var grid = new TokenGrid(T: 1, H: 4, W: 4);
        const int rows = 2000;
        float[] row = [.. Enumerable.Range(0, 16).Select(p => p is 2 or 5 or 9 or 14 ? 0.97f / 4 : 0.03f / 12)];
        var attention = tensor(row).unsqueeze(0).expand(rows, 16).contiguous(); // [B·T, P]

        var mask = Mask(0.75, grid, MaskingTestKit.Keys(step: 1, first: 0, count: rows), attention); // [B, N]
        var hiddenShare = mask.to(ScalarType.Float32).mean([0]).data<float>().ToArray();              // [N]

        // Sequential draws favour the heavy tokens strongly: each is visible in over 85 % of frames
        // (exactly 0.90 by enumeration), each light token in under 10 % (exactly 0.0333).
        foreach (int heavy in new[] { 2, 5, 9, 14 })
        {
            hiddenShare[heavy].Should().BeLessThan(0.15f, $"high-attention token {heavy} is mostly visible (false)");
        }
        hiddenShare.Where((_, p) => p is not (2 or 5 or 9 or 14)).Should().AllSatisfy(s => s.Should().BeGreaterThan(0.9f, "low-attention tokens are mostly hidden (true)"));
    }

    [Fact]
    public void Frame_t_of_clip_b_reads_attention_row_b_times_T_plus_t()
    {
        using var scope = NewDisposeScope();
        // Exactly Nv = 2 positive weights per frame make the mask deterministic: those two
        // tokens are visible, so the mask reveals which attention row each frame read.
        var grid = new TokenGrid(T: 3, H: 2, W: 3); // P = 6
        const int clips = 2;
        var attention = zeros(clips * grid.T, grid.PerSlot); // [B·T, P]
        for (int r = 0; r < clips * grid.T; r++)
        {
            attention[r, r % grid.PerSlot] = 0.7f;
            attention[r, (r + 2) % grid.PerSlot] = 0.3f;
        }

        var mask = Mask(0.7, grid, MaskingTestKit.Keys(step: 0, first: 0, count: clips), attention); // int(4.2) = 4 hidden → Nv = 2

        var visible = Frames(~mask, grid);
        for (int r = 0; r < clips * grid.T; r++)
        {
            var expected = Enumerable.Range(0, grid.PerSlot).Select(p => p == r % grid.PerSlot || p == (r + 2) % grid.PerSlot);
            visible[r].Should().Equal(expected, $"token slot {r % grid.T} of clip {r / grid.T} follows attention row {r}");
        }
    }

    [Fact]
    public void Half_precision_attention_is_sampled_in_fp32_with_the_same_result()
    {
        using var scope = NewDisposeScope();
        var grid = new TokenGrid(T: 2, H: 2, W: 4);
        var keys = MaskingTestKit.Keys(step: 6, first: 0, count: 3);
        // Powers of two are exact in fp16, so both precisions carry the same weights.
        var attention = pow(2.0f, -randint(0, 10, [3 * grid.T, grid.PerSlot], generator: new Generator(1)).to(ScalarType.Float32)); // [B·T, P]

        Mask(0.5, grid, keys, attention.to(ScalarType.Float16)).equal(Mask(0.5, grid, keys, attention)).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Mask_is_made_on_the_input_device()
    {
        var grid = new TokenGrid(T: 2, H: 4, W: 4);
        var devices = cuda.is_available() ? new[] { CPU, CUDA } : new[] { CPU };
        foreach (var device in devices)
        {
            using var scope = NewDisposeScope();
            var attention = RandomAttention(2 * grid.T, grid.PerSlot, seed: 2).to(device); // [B·T, P]
            var mask = MaskingTestKit.Strategy("semantic", 0.8).CreateMask(new MaskingInput(grid, MaskingTestKit.Keys(0, 0, 2), device, attention)); // [B, N]

            (mask.device.type, mask.device.index).Should().Be((device.type, device.index));
            mask.dtype.Should().Be(ScalarType.Bool);
        }
    }

    public static TheoryData<long[]?> WrongShapes => new()
    {
        { null },
        { [8, 17] },    // P + 1
        { [9, 16] },    // B·T + 1
        { [2, 4, 16] }, // [B, T, P] not flattened
        { [128] },
    };

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public void Missing_or_misshapen_attention_is_an_argument_error_naming_the_shapes(long[]? shape)
    {
        using var scope = NewDisposeScope();
        var grid = new TokenGrid(T: 4, H: 4, W: 4); // B·T = 8, P = 16
        var attention = shape is null ? null : rand(shape);

        var create = () => MaskingTestKit.Strategy("semantic", 0.8).CreateMask(new MaskingInput(grid, MaskingTestKit.Keys(0, 0, 2), CPU, attention));

        var error = create.Should().Throw<ArgumentException>().Which;
        error.Message.Should().Contain("[8, 16]");
        error.Message.Should().Contain(shape is null ? "got none" : $"got [{string.Join(", ", shape)}]");
    }

    /// <summary>The semantic mask of <paramref name="keys"/> with <paramref name="attention"/> on the CPU.</summary>
    private static Tensor Mask(double ratio, TokenGrid grid, SampleKeys keys, Tensor attention) =>
        MaskingTestKit.Strategy("semantic", ratio).CreateMask(new MaskingInput(grid, keys, CPU, attention)); // [B, N] bool

    /// <summary>A bool <c>[B, T·P]</c> tensor as one bool row per frame (row b·T + t), the attention's row order.</summary>
    private static bool[][] Frames(Tensor tokens, TokenGrid grid)
    {
        var flat = tokens.reshape(-1, grid.PerSlot).cpu().data<bool>().ToArray();
        return [.. Enumerable.Range(0, flat.Length / grid.PerSlot).Select(r => flat.AsSpan(r * grid.PerSlot, grid.PerSlot).ToArray())];
    }

    /// <summary>Softmax rows like a teacher's head-averaged CLS attention, <c>[rows, P]</c> fp32.</summary>
    private static Tensor RandomAttention(int rows, int patches, long seed) =>
        softmax(randn([rows, patches], generator: new Generator((ulong)seed)) * 2, 1);

    /// <summary>The unordered pairs {i &lt; j} of <paramref name="n"/> tokens.</summary>
    private static (int I, int J)[] Pairs(int n) =>
        [.. from i in Enumerable.Range(0, n) from j in Enumerable.Range(i + 1, n - i - 1) select (i, j)];

    /// <summary>Pearson's χ² of counts against category probabilities.</summary>
    private static double ChiSquare(double[] observed, double[] probabilities)
    {
        double n = observed.Sum();
        return observed.Zip(probabilities, (o, p) => (o - n * p) * (o - n * p) / (n * p)).Sum();
    }

    private static bool IsValid(object options) =>
        Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true);
}
