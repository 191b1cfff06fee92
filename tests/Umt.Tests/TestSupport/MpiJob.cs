using System.Diagnostics;
using Xunit.Abstractions;

namespace Umt.Tests.TestSupport;

/// <summary>
/// Runs the <c>umt</c> command line as a job of several processes under Open MPI's <c>mpirun</c>,
/// as a user would (the Runner built beside the tests, the repository's plugins.json): on this
/// machine over shared memory, or across the two "nodes" of <c>tests/two-node/two-node.sh</c> over TCP.
/// <c>--allow-run-as-root</c> because CI runs as root; the vader single-copy mechanism is off
/// because containers often forbid the cross-memory attach it uses.
/// </summary>
public static class MpiJob
{
    public sealed record Result(int ExitCode, string Output, string Error, bool TimedOut)
    {
        public string All => Output + Error;
    }

    /// <summary>The two-node harness, which sets up the nodes, runs mpirun across them and removes them.</summary>
    public static string TwoNodeScript => Path.Combine(RepositoryPaths.Root, "tests", "two-node", "two-node.sh");

    public static ProcessStartInfo StartInfo(int processes, IEnumerable<string> args) =>
        Command(["mpirun", "--allow-run-as-root", "--oversubscribe", "--mca", "btl_vader_single_copy_mechanism", "none", "-np", processes.ToString(System.Globalization.CultureInfo.InvariantCulture)], args);

    /// <summary>Two processes, one on each namespace "node", joined only by the MCA transports <paramref name="btl"/>.</summary>
    public static ProcessStartInfo TwoNodeStartInfo(IEnumerable<string> args, string btl = "tcp,self") =>
        Command([TwoNodeScript, "--btl", btl, "--"], args);

    private static ProcessStartInfo Command(string[] launcher, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(launcher[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (string a in (IEnumerable<string>)[.. launcher[1..], "dotnet", Path.Combine(AppContext.BaseDirectory, "Umt.Runner.dll"), .. args, "--repo", RepositoryPaths.Root])
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["TERM"] = "dumb";
        return start;
    }

    public static Result Run(ITestOutputHelper? log, int processes, TimeSpan timeout, params string[] args) => Run(log, StartInfo(processes, args), timeout);

    public static Result Run(ITestOutputHelper? log, ProcessStartInfo start, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        bool finished = process.WaitForExit(timeout);
        if (!finished)
        {
            Stop(process);
        }
        var result = new Result(finished ? process.ExitCode : -1, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult(), !finished);
        log?.WriteLine($"{string.Join(' ', start.ArgumentList.Prepend(start.FileName))} → exit {result.ExitCode} in {clock.Elapsed.TotalSeconds:F1} s{(finished ? "" : " (timed out)")}\n{result.Output}\n{result.Error}");
        return result;
    }

    /// <summary>
    /// Ends a launcher that is still running: SIGTERM first, which mpirun passes on to its job and on
    /// which the two-node harness removes its namespaces, then, after 15 s, SIGKILL to the whole tree.
    /// </summary>
    public static void Stop(Process launcher)
    {
        if (launcher.HasExited)
        {
            return;
        }
        _ = Signals.Send(launcher.Id, Signals.Terminate);
        if (!launcher.WaitForExit(TimeSpan.FromSeconds(15)))
        {
            launcher.Kill(entireProcessTree: true);
            launcher.WaitForExit();
        }
    }
}
