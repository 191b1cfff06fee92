using System.Diagnostics;

namespace Umt.Runner.Engine.Diagnostics;

/// <summary>Runs an external program briefly to ask what it is; a missing or hanging program is an answer too (null), never an exception.</summary>
public static class CommandProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The program's full path on PATH, or null.</summary>
    public static string? Which(string program)
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>The non-empty lines the program prints on standard output (standard error when that is empty), or null when it is not on PATH, fails or takes over 10 s.</summary>
    public static IReadOnlyList<string>? Lines(string program, params string[] arguments)
    {
        string? path = Which(program);
        if (path is null)
        {
            return null;
        }
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return null;
            }
            if (process.ExitCode != 0)
            {
                return null;
            }
            string text = stdout.Result.Trim().Length > 0 ? stdout.Result : stderr.Result;
            return [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // on PATH but not executable
        }
    }
}
