using TorchSharp.Modules;
using Umt.Runner.Engine.Step;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>The end both hand-written steps share: read the loss, backward, AdamW, zero the gradients.</summary>
internal static class BareStepTail
{
    /// <returns>The loss value, read before backward as the configured step reads it (its finiteness check).</returns>
    public static double BackwardAndStep(Tensor loss, AdamW optimizer, IStepPhaseRecorder? phases)
    {
        double value = loss.item<float>();
        loss.backward();
        phases?.PhaseEnded(StepPhase.Backward);
        optimizer.step();
        optimizer.zero_grad();
        phases?.PhaseEnded(StepPhase.Optimizer);
        return value;
    }
}
