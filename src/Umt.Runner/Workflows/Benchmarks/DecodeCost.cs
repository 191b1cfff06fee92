using System.Globalization;
using Umt.Abstractions.Datasets;

namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>
/// Counts the clips a dataset decodes and the CPU time this process and its reaped children spent
/// meanwhile (<c>/proc/self/stat</c> utime+stime+cutime+cstime), so <c>umt bench data</c> can say
/// what a clip costs whether ffmpeg processes or decode workers do the work: read the cost after
/// disposing the dataset, when its workers have exited and been waited for.
/// </summary>
internal sealed class DecodeCost(IVideoDataset inner) : IVideoDataset
{
    private double startCpu = ProcessTreeCpuSeconds();
    private long startClips;
    private long clips;

    public DatasetInfo Info => inner.Info;

    /// <summary>CPU seconds per clip read since <see cref="Restart"/> (prefetched clips included).</summary>
    public double CpuSecondsPerClip => (ProcessTreeCpuSeconds() - startCpu) / Math.Max(1, Interlocked.Read(ref clips) - startClips);

    /// <summary>Starts counting afresh: after the warm-up, so the JIT and the first process starts do not count.</summary>
    public void Restart()
    {
        startClips = Interlocked.Read(ref clips);
        startCpu = ProcessTreeCpuSeconds();
    }

    public VideoSample Read(long index, ulong augmentationKey, CancellationToken cancel = default)
    {
        var sample = inner.Read(index, augmentationKey, cancel);
        Interlocked.Increment(ref clips);
        return sample;
    }

    public void Dispose() => inner.Dispose();

    /// <summary>Fields 14–17 of /proc/self/stat, in clock ticks (100 per second on Linux).</summary>
    private static double ProcessTreeCpuSeconds()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields[11..15].Sum(field => long.Parse(field, CultureInfo.InvariantCulture)) / 100.0;
    }
}
