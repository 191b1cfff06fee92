using System.Diagnostics;

namespace Umt.Runner.Engine.Training;

/// <summary>
/// Wall time and process CPU time (user + sys over every thread: libtorch's intra-op pool and the
/// data workers included) since it was started. CPU seconds measure what a run cost, where wall
/// time also moves with whatever else shares the machine.
/// </summary>
public sealed class ProcessClock
{
    private readonly Stopwatch wall = Stopwatch.StartNew();
    private readonly TimeSpan cpuAtStart = CpuNow();

    public double WallSeconds => wall.Elapsed.TotalSeconds;

    public double CpuSeconds => (CpuNow() - cpuAtStart).TotalSeconds;

    private static TimeSpan CpuNow()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
