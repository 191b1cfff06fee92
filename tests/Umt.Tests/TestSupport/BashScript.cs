using System.Diagnostics;

namespace Umt.Tests.TestSupport;

/// <summary>Runs a bash script in a fresh, non-interactive shell (no rc files) in the repository root, as a user's terminal would start one.</summary>
public static class BashScript
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <param name="script">The script, run with <c>bash --norc --noprofile -c</c>.</param>
    /// <param name="environment">Variables set for it (a null value removes one); paths are best passed here rather than quoted into the script.</param>
    public static Result Run(string script, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("/bin/bash", ["--norc", "--noprofile", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bash -c '{script}' ran past 2 minutes:\n{output}{error.GetAwaiter().GetResult()}");
        }
        return new Result(process.ExitCode, output, error.GetAwaiter().GetResult());
    }

    /// <summary>Writes an executable <c>#!/bin/sh</c> script (a stand-in for a program on PATH).</summary>
    public static void WriteExecutable(string path, string body)
    {
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        if (!OperatingSystem.IsWindows()) // the analyzer's platform guard; the project is Linux-only
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
