using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Step;

/// <summary>
/// Gradient-norm clipping on the device: PyTorch's <c>clip_grad_norm_</c> (torch/nn/utils/clip_grad.py)
/// without its host read. TorchSharp's <c>clip_grad_norm_</c> returns the norm as a double, which
/// waits for the device; the step already reads the norm once with its losses (<see cref="LossSums"/>).
/// </summary>
internal static class GradientClipping
{
    /// <summary>Multiplies every gradient by <c>min(1, maxNorm / (norm + 1e-6))</c>, as clip_grad_norm_ does.</summary>
    /// <param name="norm"><c>[]</c> the gradients' L2 norm (<see cref="FiniteValues.GradientNorm"/>).</param>
    public static void Scale(IReadOnlyList<Parameter> parameters, Tensor norm, double maxNorm)
    {
        using var scope = NewDisposeScope();
        var coefficient = (maxNorm / (norm + 1e-6)).clamp_max(1.0);                               // []
        using var noGrad = no_grad();
        foreach (var parameter in parameters)
        {
            parameter.grad?.mul_(coefficient.to(parameter.grad.dtype));
        }
    }
}
