using Umt.Models.Layers;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Layers;

public sealed class DropPathTests
{
    [Fact]
    public void Rates_rise_linearly_from_zero_to_the_maximum()
    {
        DropPathRates.Linear(0.1, 12).Should().Equal(
            Enumerable.Range(0, 12).Select(i => 0.1 * i / 11), (a, b) => Math.Abs(a - b) < 1e-12);
        DropPathRates.Linear(0.2, 1).Should().Equal(0.0);
        DropPathRates.Linear(0.2, 0).Should().BeEmpty();
    }

    [Fact]
    public void Half_rate_keeps_about_half_the_samples_and_doubles_them()
    {
        const int samples = 20_000;
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(11);
        var noise = rand(samples, generator: generator);
        var branch = ones(samples, 3, 4);

        var dropped = DropPath.Apply(branch, noise, 0.5);

        var perSample = dropped.reshape(samples, -1);
        perSample.amax(1).equal(perSample.amin(1)).all().item<bool>().Should().BeTrue("a sample is kept or dropped as a whole");
        var kept = perSample.select(1, 0).data<float>().ToArray();
        var draws = noise.data<float>().ToArray();
        for (var i = 0; i < samples; i++)
        {
            kept[i].Should().Be(draws[i] >= 0.5f ? 2f : 0f);
        }
        kept.Count(v => v > 0).Should().BeCloseTo(samples / 2, 400);   // ±4 standard deviations
    }

    [Fact]
    public void In_a_block_dropped_samples_pass_through_and_kept_ones_match_the_scaled_branches()
    {
        const int samples = 400, tokens = 3, width = 8;
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(5);
        using var block = new Block(width, heads: 2, mlpRatio: 4, dropPathRate: 0.5);
        block.train();
        var x = randn(new long[] { samples, tokens, width }, generator: generator);
        var noise = rand(samples, generator: generator);

        // Both branches of a sample share its draw here, so a sample is either fully kept or fully dropped.
        var output = block.call(x, noise.unsqueeze(1).expand(-1, 2));

        // Independent evaluation of the kept path: y = x + 2·attn(norm1(x)); y + 2·mlp(norm2(y)).
        var state = block.state_dict();
        using var attn = new Attention(width, 2);
        using var mlp = new Mlp(width, 4 * width);
        Umt.Models.Weights.StateDictLoader.Load(attn, state, "attn.");
        Umt.Models.Weights.StateDictLoader.Load(mlp, state, "mlp.");
        var normalisedX = nn.functional.layer_norm(x, [width], state["norm1.weight"], state["norm1.bias"], 1e-6);
        var y = x + 2 * attn.call(normalisedX);
        var normalisedY = nn.functional.layer_norm(y, [width], state["norm2.weight"], state["norm2.bias"], 1e-6);
        var keptPath = y + 2 * mlp.call(normalisedY);

        var keep = noise.ge(0.5);
        var keptCount = keep.sum().item<long>();
        keptCount.Should().BeInRange(samples / 2 - 60, samples / 2 + 60);
        output[keep].allclose(keptPath[keep], rtol: 1e-5, atol: 1e-5).Should().BeTrue();
        output[keep.logical_not()].equal(x[keep.logical_not()]).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Zero_rate_and_eval_mode_are_identity_whatever_the_noise()
    {
        using var scope = NewDisposeScope();
        var x = randn(4, 3, 8);
        var dropEverything = zeros(4, 2);   // every draw is below any positive rate

        using var noDrop = new Block(8, heads: 2, mlpRatio: 4, dropPathRate: 0);
        noDrop.train();
        noDrop.call(x, dropEverything).equal(noDrop.call(x, null)).all().item<bool>().Should().BeTrue();

        using var evaluated = new Block(8, heads: 2, mlpRatio: 4, dropPathRate: 0.5);
        evaluated.train();
        evaluated.call(x, dropEverything).equal(x).all().item<bool>().Should().BeTrue("in training every sample is dropped");
        evaluated.eval();
        var inEval = evaluated.call(x, dropEverything);
        inEval.equal(evaluated.call(x, null)).all().item<bool>().Should().BeTrue();
        inEval.equal(x).all().item<bool>().Should().BeFalse();
    }

    [Fact]
    public void The_attention_and_mlp_branches_drop_on_their_own_draws()
    {
        const int width = 8;
        using var scope = NewDisposeScope();
        using var block = new Block(width, heads: 2, mlpRatio: 4, dropPathRate: 0.5);
        block.train();
        var x = randn(2, 3, width);
        var keepAttentionDropMlp = tensor(new float[] { 0.9f, 0.1f, 0.9f, 0.1f }, [2, 2]);

        var output = block.call(x, keepAttentionDropMlp);

        // timm's Block: x + drop_path1(attn(norm1(x))), then + drop_path2(mlp(norm2(x))) with its own draw.
        var state = block.state_dict();
        using var attn = new Attention(width, 2);
        Umt.Models.Weights.StateDictLoader.Load(attn, state, "attn.");
        var expected = x + 2 * attn.call(nn.functional.layer_norm(x, [width], state["norm1.weight"], state["norm1.bias"], 1e-6));
        output.allclose(expected, rtol: 1e-5, atol: 1e-6).Should().BeTrue("the attention branch is kept (×2) and the MLP branch dropped");
    }
}
