using Umt.Models.Decoders;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Decoders;

/// <summary>
/// The decoder's parameters start as MCG-NJU/VideoMAE modeling_pretrain.py's
/// <c>PretrainVisionTransformer.__init__</c> leaves them, checked by their distributions.
/// </summary>
public sealed class VideoMaeDecoderInitTests
{
    // One wide decoder with no blocks: hundreds of thousands of draws for tight statistics, no transformer cost.
    private const int EncoderWidth = 64, Width = 4096, Outputs = 12;

    [Fact]
    public void The_mask_token_is_a_normal_of_std_0_02_truncated_at_plus_minus_one_std()
    {
        using var scope = NewDisposeScope();
        using var decoder = new VideoMaeDecoder(EncoderWidth, Width, depth: 0, heads: 1, tokens: 8, Outputs);
        float[] token = decoder.state_dict()["mask_token"].data<float>().ToArray();

        // modeling_pretrain.py's own trunc_normal_ calls timm's with a = -std, b = std, so the mask
        // token's bounds are ±0.02, not timm's default ±2.
        token.Should().OnlyContain(v => Math.Abs(v) <= 0.02f);
        double mean = token.Average(v => (double)v);
        double std = Math.Sqrt(token.Average(v => (v - mean) * (v - mean)));
        // N(0, σ²) conditioned on ±σ has std σ·√(1 − 2φ(1) / (2Φ(1) − 1)) = 0.5396σ (±2σ: 0.8796σ; untruncated: σ).
        std.Should().BeApproximately(0.02 * 0.53956, 0.0006);
        mean.Should().BeApproximately(0, 0.0006);
    }

    [Fact]
    public void Encoder_to_decoder_keeps_PyTorchs_default_Linear_init_while_the_decoder_Linears_are_xavier()
    {
        using var scope = NewDisposeScope();
        using var decoder = new VideoMaeDecoder(EncoderWidth, Width, depth: 0, heads: 1, tokens: 8, Outputs);
        var state = decoder.state_dict();

        // PretrainVisionTransformer defines _init_weights but never applies it; only its encoder and
        // decoder call self.apply(self._init_weights). encoder_to_decoder (bias=False) keeps
        // nn.Linear.reset_parameters: kaiming_uniform_(a=√5), i.e. U(±1/√fan_in) = U(±1/8) here, where
        // xavier would give U(±√(6 / (64 + 4096))) = U(±0.038).
        float[] projection = state["encoder_to_decoder.weight"].data<float>().ToArray();
        double bound = 1 / Math.Sqrt(EncoderWidth);
        projection.Max(Math.Abs).Should().BeLessThanOrEqualTo((float)bound).And.BeGreaterThan((float)(0.97 * bound));
        Math.Sqrt(projection.Average(v => (double)v * v)).Should().BeApproximately(bound / Math.Sqrt(3), 0.002, "a uniform on ±b has std b/√3");
        state.Keys.Should().NotContain("encoder_to_decoder.bias");

        // The decoder's head is xavier-uniform with a zero bias: U(±√(6 / (4096 + 12))) = U(±0.0382);
        // its default would be U(±1/64).
        float[] head = state["decoder.head.weight"].data<float>().ToArray();
        double xavier = Math.Sqrt(6.0 / (Width + Outputs));
        head.Max(Math.Abs).Should().BeLessThanOrEqualTo((float)xavier).And.BeGreaterThan((float)(0.97 * xavier));
        state["decoder.head.bias"].data<float>().ToArray().Should().OnlyContain(v => v == 0);
    }
}
