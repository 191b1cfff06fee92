using System.Diagnostics;
using Xunit.Abstractions;

namespace Umt.Tests.TestSupport;

/// <summary>
/// Runs the <c>umt</c> command line as a job of several processes under Open MPI's <c>mpirun</c>,
/// as a user would (the Runner built beside the tests, the repository's plugins.json).
/// <c>--allow-run-as-root</c> because CI runs as root; the vader single-copy mechanism is off
/// because containers often forbid the cross-memory attach it uses.
/// </summary>
public static class MpiJob
{
    public sealed record Result(int ExitCode, string Output, string Error, bool TimedOut)
    {
        public string All => Output + Error;
    }

    public static ProcessStartInfo StartInfo(int processes, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("mpirun")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (string a in new[] { "--allow-run-as-root", "--oversubscribe", "--mca", "btl_vader_single_copy_mechanism", "none", "-np", processes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "dotnet", Path.Combine(AppContext.BaseDirectory, "Umt.Runner.dll") })
        {
            start.ArgumentList.Add(a);
        }
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.ArgumentList.Add("--repo");
        start.ArgumentList.Add(RepositoryPaths.Root);
        start.Environment["TERM"] = "dumb";
        return start;
    }

    public static Result Run(ITestOutputHelper? log, int processes, TimeSpan timeout, params string[] args)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(StartInfo(processes, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        bool finished = process.WaitForExit(timeout);
        if (!finished)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        var result = new Result(finished ? process.ExitCode : -1, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult(), !finished);
        log?.WriteLine($"mpirun -np {processes} umt {string.Join(' ', args)} → exit {result.ExitCode} in {clock.Elapsed.TotalSeconds:F1} s{(finished ? "" : " (timed out)")}\n{result.Output}\n{result.Error}");
        return result;
    }
}
