using Umt.Models.Layers;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Layers;

public sealed class TruncatedNormalTests
{
    [Fact]
    public void Draws_follow_the_normal_truncated_at_the_bounds()
    {
        manual_seed(5);
        using var wide = empty(200_000);
        TruncatedNormal.Fill(wide, std: 0.02); // bounds ±2 = ±100 std: a plain N(0, 0.02²)
        wide.std().item<float>().Should().BeApproximately(0.02f, 0.0002f);
        wide.mean().item<float>().Should().BeApproximately(0f, 0.0002f);
        wide.unique().output.shape[0].Should().BeGreaterThan(100_000, "every element is its own draw");

        // Cut at ±1 std: variance 1 − 2φ(1)/(2Φ(1) − 1) = 1 − 2·0.241971/0.682689 = 0.291125 of σ², std 0.539560 σ.
        using var tight = empty(200_000);
        TruncatedNormal.Fill(tight, std: 0.02, a: -0.02, b: 0.02);
        tight.abs().max().item<float>().Should().BeLessThanOrEqualTo(0.02f);
        tight.std().item<float>().Should().BeApproximately(0.02f * 0.539560f, 0.0001f);

        // A shifted window [0, 2σ] around mean 0: mean = σ(φ(0) − φ(2))/(Φ(2) − Φ(0)) = σ(0.398942 − 0.053991)/0.477250 = 0.722788 σ.
        using var shifted = empty(200_000);
        TruncatedNormal.Fill(shifted, std: 1, a: 0, b: 2);
        shifted.min().item<float>().Should().BeGreaterThanOrEqualTo(0f);
        shifted.mean().item<float>().Should().BeApproximately(0.722788f, 0.005f);
    }
}
