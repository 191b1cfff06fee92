using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>A hand-written optimizer step the benchmark times the configured pipeline against.</summary>
public interface IBareStep : IDisposable
{
    /// <summary>One optimizer step on <paramref name="video"/> <c>[B, 3, T, H, W]</c> (already on the device); returns the loss.</summary>
    double Run(Tensor video);
}
