using System.Globalization;

namespace Umt.Tests.Datasets.Media;

/// <summary>Tests that measure the process's peak RSS: run alone, so another test's allocations cannot pass for theirs.</summary>
[CollectionDefinition(nameof(PeakMemory), DisableParallelization = true)]
public sealed class PeakMemory
{
    /// <summary>
    /// How far the process's peak resident set rose above its resident set at the start while
    /// <paramref name="action"/> ran, in bytes. Linux resets the peak (VmHWM) to the current RSS
    /// when "5" is written to /proc/self/clear_refs, so a peak reached earlier does not hide this one.
    /// </summary>
    public static long GrowthDuring(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        File.WriteAllText("/proc/self/clear_refs", "5");
        long before = StatusKilobytes("VmRSS");
        action();
        return (StatusKilobytes("VmHWM") - before) * 1024;
    }

    private static long StatusKilobytes(string field)
    {
        string line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
