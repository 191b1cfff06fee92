using System.Diagnostics;
using TorchSharp;
using Umt.Runner.Engine.Step;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>
/// Times the phases of one step with Stopwatch laps (<see cref="IStepPhaseRecorder"/>): each mark
/// closes the span since the previous one. Holds the latest step's laps only; the benchmark copies
/// them out after every timed step.
/// </summary>
/// <remarks>
/// On the CPU every TorchSharp call returns when its work is done, so a lap is the phase's time.
/// On CUDA kernels are queued and a lap would measure only the launches, with the work landing in
/// whichever later phase first waits for a result; so every mark first synchronises the device,
/// which serialises the step: the configured and the hand-written step then both carry a recorder,
/// so they pay it alike. (Not run on a GPU yet, like the rest of the CUDA path.)
/// </remarks>
public sealed class PhaseStopwatch(Device device) : IStepPhaseRecorder
{
    /// <summary>Every phase, in step order.</summary>
    public static IReadOnlyList<StepPhase> Phases { get; } = Enum.GetValues<StepPhase>();

    private readonly Stopwatch lap = new();
    private readonly double[] milliseconds = new double[Phases.Count];
    private readonly int[] marks = new int[Phases.Count];

    /// <summary>Milliseconds per phase of the latest step (0 for a phase it did not mark).</summary>
    public IReadOnlyDictionary<StepPhase, double> LastStep => Phases.ToDictionary(p => p, p => milliseconds[(int)p]);

    /// <summary>How often each phase was marked in the latest step (1 each, or the micro-batches for the forward phases).</summary>
    public IReadOnlyDictionary<StepPhase, int> LastStepMarks => Phases.ToDictionary(p => p, p => marks[(int)p]);

    /// <summary>Sum of the latest step's phases, ms.</summary>
    public double LastStepTotal => milliseconds.Sum();

    public void StepStarted()
    {
        Array.Clear(milliseconds);
        Array.Clear(marks);
        Restart();
    }

    public void Restart()
    {
        Synchronize();
        lap.Restart();
    }

    public void PhaseEnded(StepPhase phase)
    {
        Synchronize();
        milliseconds[(int)phase] += lap.Elapsed.TotalMilliseconds;
        marks[(int)phase]++;
        lap.Restart();
    }

    /// <summary>The JSON name of a phase: <c>teacher_forward</c>, <c>masking</c>, ….</summary>
    public static string Name(StepPhase phase) => string.Concat(phase.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>Waits for the device's queued work, so the lap holds it (a no-op on the CPU).</summary>
    private void Synchronize()
    {
        if (device.type == DeviceType.CUDA)
        {
            torch.cuda.synchronize(device);
        }
    }
}
