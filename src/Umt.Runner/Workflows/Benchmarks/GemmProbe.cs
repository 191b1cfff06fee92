using System.Diagnostics;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>The machine's practical fp32 matmul rate, measured in-process: the yardstick for achieved GFLOP/s.</summary>
public static class GemmProbe
{
    /// <summary>Median GFLOP/s of a square fp32 matmul (2·n³ FLOPs) over a few repetitions.</summary>
    public static double Gflops(Device device, int n = 2048, int repetitions = 7)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n, device: device);
        var b = randn(n, n, device: device);
        a.matmul(b).sum().item<float>(); // warm-up: oneDNN/MKL pick their kernels on first use
        var rates = new List<double>();
        for (int i = 0; i < repetitions; i++)
        {
            var clock = Stopwatch.StartNew();
            using var product = a.matmul(b);
            product[0, 0].item<float>(); // forces completion on asynchronous devices
            rates.Add(2.0 * n * n * n / clock.Elapsed.TotalSeconds / 1e9);
        }
        return rates.Order().ElementAt(rates.Count / 2);
    }
}
