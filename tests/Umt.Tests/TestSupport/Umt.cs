using System.Diagnostics;
using Umt.Runner.Cli;
using Xunit.Abstractions;

namespace Umt.Tests.TestSupport;

/// <summary>Runs the <c>umt</c> command line in-process, as a user would type it, against the repository's plugins.json.</summary>
public static class Umt
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;
    }

    public static Result Run(ITestOutputHelper? log, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var clock = Stopwatch.StartNew();
        int code = UmtCommandLine.Invoke([.. args, "--repo", RepositoryPaths.Root], output, error);
        log?.WriteLine($"umt {string.Join(' ', args)} → exit {code} in {clock.Elapsed.TotalSeconds:F1} s\n{output}\n{error}");
        return new Result(code, output.ToString(), error.ToString());
    }
}
