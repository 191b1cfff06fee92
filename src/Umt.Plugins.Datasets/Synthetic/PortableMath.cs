namespace Umt.Plugins.Datasets.Synthetic;

/// <summary>
/// Sine and cosine from additions and multiplications only. Math.Sin defers to the platform's C
/// library, whose last bits differ between glibc, musl and Windows; an orbit angle one ulp apart
/// can flip an anti-aliased edge pixel, and the benchmark promises identical pixels on every
/// machine (synthetic-benchmark.md, "deterministic"). IEEE-754 basic operations are exactly
/// rounded and RyuJIT never fuses them, so this is bit-reproducible.
/// </summary>
internal static class PortableMath
{
    private const double TwoPi = 2.0 * Math.PI;

    /// <summary>sin(x), absolute error below 1e-13.</summary>
    public static double Sin(double x)
    {
        x -= Math.Round(x * (1.0 / TwoPi)) * TwoPi; // [-π, π]
        if (x > Math.PI / 2)
        {
            x = Math.PI - x;
        }
        else if (x < -Math.PI / 2)
        {
            x = -Math.PI - x;
        }
        // Taylor series to x¹⁷ on [-π/2, π/2] (Horner form); the first omitted term is < 5e-14.
        double x2 = x * x;
        double sum = 1.0 / 355687428096000.0;                   // 1/17!
        sum = 1.0 / 1307674368000.0 - x2 * sum;                 // 1/15!
        sum = 1.0 / 6227020800.0 - x2 * sum;                    // 1/13!
        sum = 1.0 / 39916800.0 - x2 * sum;                      // 1/11!
        sum = 1.0 / 362880.0 - x2 * sum;                        // 1/9!
        sum = 1.0 / 5040.0 - x2 * sum;                          // 1/7!
        sum = 1.0 / 120.0 - x2 * sum;                           // 1/5!
        sum = 1.0 / 6.0 - x2 * sum;                             // 1/3!
        sum = 1.0 - x2 * sum;
        return x * sum;
    }

    /// <summary>cos(x) = sin(x + π/2).</summary>
    public static double Cos(double x) => Sin(x + Math.PI / 2);
}
