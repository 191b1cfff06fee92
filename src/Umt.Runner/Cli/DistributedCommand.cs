using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Distributed;

namespace Umt.Runner.Cli;

/// <summary><c>umt distributed check [--json] [--megabytes N]</c>: the job's collectives on known values, and a large all-reduce's bandwidth.</summary>
public static class DistributedCommand
{
    public static Command Create(TextWriter output, TextWriter error, Func<ParseResult, TextWriter, Func<ServiceProvider, int>, int> guarded)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object on one line." };
        var megabytes = new Option<int>("--megabytes") { Description = "Size of the timed all-reduce, MB.", DefaultValueFactory = _ => 64 }.AtLeast(1);
        var check = new Command("check", "Run every collective of Umt:Distributed:Backend on values with known results and time a large all-reduce; start it as the job would be (e.g. mpirun -np 2 ./umt distributed check --set Umt:Distributed:Backend=mpi).")
        {
            json, megabytes,
        };
        check.SetAction(parse => guarded(parse, error, services =>
        {
            var plan = services.GetRequiredService<RunPlan>();
            using var collectives = DistributedBackend.Start(plan.Distributed, plan.Launch);
            var report = DistributedBackend.RunOrAbort(collectives, error, () => CollectivesCheck.Run(collectives, plan.Launch.Launcher, parse.GetValue(megabytes), LaunchEnvironment.ProcessVariables()));
            if (collectives.Rank == 0)
            {
                Write(report, parse.GetValue(json), output);
            }
            return report.Passed ? ExitCodes.Success : ExitCodes.RuntimeFailure;
        }));
        var distributed = new Command("distributed", "Data-parallel jobs: check the collectives of the configured backend.");
        distributed.Subcommands.Add(check);
        return distributed;
    }

    private static void Write(CollectivesReport report, bool json, TextWriter output)
    {
        if (json)
        {
            CliJson.Write(output, report);
            return;
        }
        void Line(FormattableString text) => output.WriteLine(text.ToString(CultureInfo.InvariantCulture));
        Line($"collectives of {report.WorldSize} processes (launcher: {report.Launcher}):");
        foreach (var r in report.Results)
        {
            Line($"  {r.Operation,-26}{(r.Passed ? "ok" : "FAILED"),-8}{r.Detail}");
        }
        var t = report.Transport;
        Line($"  nodes: {t.Nodes} ({string.Join(", ", t.Hosts.Select((h, rank) => $"rank {rank} on {h}"))})");
        if (t.WithinNode is not null)
        {
            Line($"  within a node:  {t.WithinNode}");
        }
        if (t.BetweenNodes is not null)
        {
            Line($"  between nodes:  {t.BetweenNodes}");
        }
        Line($"  all-reduce of 1 float: {report.AllReduceLatencyMicroseconds:F1} µs (latency, median of {CollectivesCheck.LatencyRepeats})");
        Line($"  all-reduce of {report.AllReduceMegabytes:F0} MB: {report.AllReduceMilliseconds:F1} ms (median of 5), bus bandwidth {report.AllReduceGigabytesPerSecond:F2} GB/s");
        Line($"{(report.Passed ? "passed" : "FAILED")}");
    }
}
