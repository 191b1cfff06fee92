namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>
/// Memory of the process after each benchmarked step: resident set, what the .NET GC committed, and
/// glibc's heap size and bytes in use, so a rise of RSS can be told apart as managed growth, native
/// fragmentation (heap size up, in-use flat) or a native leak (both up).
/// </summary>
public sealed class MemoryTrace
{
    private readonly List<double> rss = [];
    private readonly List<double> managed = [];
    private readonly List<double> heapSize = [];
    private readonly List<double> heapInUse = [];

    public int Count => rss.Count;

    public double LastRssKib => rss[^1];

    public void Sample()
    {
        rss.Add(MemoryProbe.ResidentKib());
        managed.Add(MemoryProbe.ManagedCommittedKib());
        if (MemoryProbe.HeapKib() is { } heap)
        {
            heapSize.Add(heap.Size);
            heapInUse.Add(heap.InUse);
        }
    }

    /// <summary>Slope of RSS in KiB per step over the samples from <paramref name="from"/> on (all of them if there are too few).</summary>
    public double RssSlope(int from) => MemoryProbe.Slope(Window(rss, from));

    /// <summary>The same for RSS minus the managed heap's committed memory.</summary>
    public double NativeSlope(int from) => MemoryProbe.Slope(Window(rss.Zip(managed, (r, m) => r - m).ToList(), from));

    /// <summary>The same for glibc's bytes in use (NaN without glibc).</summary>
    public double HeapInUseSlope(int from) => heapInUse.Count > 0 ? MemoryProbe.Slope(Window(heapInUse, from)) : double.NaN;

    public IReadOnlyList<double> RssMbEvery50 => Every50(rss);

    public IReadOnlyList<double> ManagedMbEvery50 => Every50(managed);

    public IReadOnlyList<double> HeapSizeMbEvery50 => Every50(heapSize);

    public IReadOnlyList<double> HeapInUseMbEvery50 => Every50(heapInUse);

    private static List<double> Window(List<double> values, int from) =>
        values.Count > from + 1 ? values.Skip(from).ToList() : values;

    private static List<double> Every50(List<double> kib) =>
        kib.Where((_, i) => i % 50 == 0).Select(k => Math.Round(k / 1024, 1)).ToList();
}
