using System.Diagnostics;

namespace Umt.Tests.TestSupport;

/// <summary>
/// Runs a script with Debian's Python and its python3-torch (<c>/usr/bin/python3</c>; the pyenv
/// Python on PATH has no torch): the independent PyTorch that checks what this project writes.
/// <c>./test.sh</c> installs python3-torch where it is missing.
/// </summary>
public static class PythonTorch
{
    public const string Interpreter = "/usr/bin/python3";

    public sealed record Result(int ExitCode, string Output);

    public static Result Run(string script, params string[] arguments)
    {
        if (!File.Exists(Interpreter))
        {
            return new Result(-1, $"{Interpreter} is missing; install Debian's python3-torch (./test.sh does).");
        }
        var start = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            return new Result(-1, $"{script} did not finish within 2 minutes.\n{stdout}");
        }
        return new Result(process.ExitCode, stdout + stderr.GetAwaiter().GetResult());
    }
}
