using Umt.Runner.Workflows.Benchmarks;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary>The glibc statistics <c>umt bench</c> reads to tell heap fragmentation from a native leak.</summary>
public sealed class MallocStatisticsTests
{
    [Fact]
    public void The_heap_statistics_follow_a_native_tensor_of_64_MiB()
    {
        const long Floats = 16L << 20;
        // The process's first tensors initialise libtorch (tens of MB of its own); take that first.
        using (ones(Floats))
        {
        }
        var before = MemoryProbe.HeapKib();
        before.Should().NotBeNull("the test host runs on glibc's malloc, whose statistics are read");

        double allocated;
        using (ones(Floats))
        {
            allocated = MemoryProbe.HeapKib()!.Value.InUse - before!.Value.InUse;
        }
        var after = MemoryProbe.HeapKib()!.Value;

        allocated.Should().BeInRange(63 * 1024, 65 * 1024, "the tensor's 64 MiB are one live allocation");
        (after.InUse - before.Value.InUse).Should().BeLessThan(1024, "disposing the tensor frees its block");
        after.Size.Should().BeGreaterThanOrEqualTo(after.InUse, "glibc holds at least what is in use");
    }
}
