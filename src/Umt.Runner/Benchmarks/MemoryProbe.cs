namespace Umt.Runner.Benchmarks;

/// <summary>Resident memory of this process and the slope of its growth.</summary>
public static class MemoryProbe
{
    /// <summary>Resident set size in KiB, from /proc/self/statm (no allocation of a Process object per sample).</summary>
    public static double ResidentKib()
    {
        string[] fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * (Environment.SystemPageSize / 1024.0);
    }

    /// <summary>
    /// Memory the .NET GC has committed, in KiB: RSS minus this is (to within untouched committed
    /// pages) native memory, which tells libtorch/glibc growth from managed heap growth.
    /// </summary>
    public static double ManagedCommittedKib() => GC.GetGCMemoryInfo().TotalCommittedBytes / 1024.0;

    /// <summary>Least-squares slope of <paramref name="values"/> against their index.</summary>
    public static double Slope(IReadOnlyList<double> values)
    {
        int n = values.Count;
        if (n < 2)
        {
            return double.NaN;
        }
        double meanX = (n - 1) / 2.0, meanY = values.Average();
        double num = 0, den = 0;
        for (int i = 0; i < n; i++)
        {
            num += (i - meanX) * (values[i] - meanY);
            den += (i - meanX) * (i - meanX);
        }
        return num / den;
    }

    /// <summary>The glibc allocator settings in force (they change both speed and RSS growth).</summary>
    public static IReadOnlyDictionary<string, string> AllocatorSettings() =>
        new[] { "MALLOC_ARENA_MAX", "MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "LD_PRELOAD" }
            .ToDictionary(name => name, name => Environment.GetEnvironmentVariable(name) ?? "(unset)");
}
