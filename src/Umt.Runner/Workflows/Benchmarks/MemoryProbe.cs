using System.Runtime.InteropServices;

namespace Umt.Runner.Workflows.Benchmarks;

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

    /// <summary>
    /// glibc's view in KiB (<c>mallinfo2</c>): <c>Size</c> is what it holds from the system (the
    /// main heap with its free holes, plus mmapped blocks), <c>InUse</c> the bytes in live
    /// allocations. Growth of <c>Size</c> at constant <c>InUse</c> is fragmentation, growth of both a
    /// leak. Null where malloc is not glibc's (another allocator preloaded, another C library).
    /// </summary>
    public static (double Size, double InUse)? HeapKib()
    {
        try
        {
            var info = MallInfo2();
            // No main-heap memory at all: malloc is served by a preloaded allocator.
            return info.Arena == 0 ? null : ((info.Arena + info.Hblkhd) / 1024.0, (info.Uordblks + info.Hblkhd) / 1024.0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallocInfo2
    {
        public readonly nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [DllImport("libc.so.6", EntryPoint = "mallinfo2")]
    private static extern MallocInfo2 MallInfo2();

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
