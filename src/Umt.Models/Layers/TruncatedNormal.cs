using static TorchSharp.torch;

namespace Umt.Models.Layers;

/// <summary>
/// timm's / PyTorch's <c>trunc_normal_</c>, which the reference uses for its mask token and its
/// classification head. Not TorchSharp 0.107's <c>nn.init.trunc_normal_</c>: it fills every
/// element with one value (measured: 1000 draws of std 0.02 within ±2 came back all 0.02, std 0).
/// Inverse-CDF sampling as PyTorch's <c>_no_grad_trunc_normal_</c>: uniform between the bounds'
/// CDF values, mapped back through erfinv, so the truncation is exact (not a clamp of a normal).
/// </summary>
public static class TruncatedNormal
{
    /// <summary>Fills <paramref name="tensor"/> in place with N(mean, std²) draws conditioned on [a, b] (absolute bounds, as timm's).</summary>
    public static void Fill(Tensor tensor, double std, double a = -2, double b = 2, double mean = 0)
    {
        if (!(std > 0) || !(a < b))
        {
            throw new ArgumentException($"Need std > 0 and a < b, got std {std}, a {a}, b {b}.");
        }
        static double Cdf(double x) => (1 + Erf(x / Math.Sqrt(2))) / 2;
        double lower = Cdf((a - mean) / std), upper = Cdf((b - mean) / std);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        tensor.uniform_(2 * lower - 1, 2 * upper - 1);
        tensor.erfinv_().mul_(std * Math.Sqrt(2)).add_(mean).clamp_(a, b); // the clamp only catches rounding at the bounds
    }

    /// <summary>erf in float64 by libtorch (.NET has none).</summary>
    private static double Erf(double x)
    {
        using var value = tensor(x, ScalarType.Float64);
        using var result = value.erf();
        return result.item<double>();
    }
}
