using System.Text.Json;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Distributed;

/// <summary>The Open MPI backend's collectives on processes started by mpirun, through <c>umt distributed check</c>.</summary>
public sealed class MpiCollectivesTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)] // not a power of two: Open MPI's reduction algorithms change with it
    public void Every_collective_returns_the_exact_values_on_every_process(int processes)
    {
        var result = MpiJob.Run(log, processes, TimeSpan.FromSeconds(90), "distributed", "check", "--json", "--megabytes", "4", "--set", "Umt:Distributed:Backend=mpi");
        result.ExitCode.Should().Be(0, result.All);

        using var report = JsonDocument.Parse(result.Output.Trim().Split('\n')[^1]);
        report.RootElement.GetProperty("world_size").GetInt32().Should().Be(processes);
        report.RootElement.GetProperty("launcher").GetString().Should().Contain("OMPI_COMM_WORLD");
        var operations = report.RootElement.GetProperty("results").EnumerateArray()
            .ToDictionary(r => r.GetProperty("operation").GetString()!, r => (r.GetProperty("passed").GetBoolean(), r.GetProperty("detail").GetString()));
        operations.Keys.Should().BeEquivalentTo(["all-reduce sum", "all-reduce mean", "all-reduce max (int64)", "all-gather", "broadcast", "barrier", "all-gather with gradient"]);
        operations.Values.Should().OnlyContain(v => v.Item1 && v.Item2 == "exact");
        report.RootElement.GetProperty("all_reduce_gigabytes_per_second").GetDouble().Should().BePositive();
    }

    [Fact]
    public void Processes_started_by_mpirun_with_the_single_backend_are_refused_naming_the_setting()
    {
        var result = MpiJob.Run(log, 2, TimeSpan.FromSeconds(60), "distributed", "check");
        result.ExitCode.Should().Be(2, result.All);
        result.Error.Should().Contain("Umt:Distributed:Backend = single").And.Contain("rank").And.Contain("valid: single, mpi");
    }
}
