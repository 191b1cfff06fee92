using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;

namespace Umt.Plugins.Datasets.Media;

/// <summary>What a finished child process left: its exit code, stdout bytes and the tail of stderr.</summary>
internal sealed record ChildOutput(int ExitCode, byte[] Stdout, string StderrTail)
{
    /// <summary>The last non-empty stderr line: ffmpeg's reason for a failure.</summary>
    public string LastError => StderrTail.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
}

/// <summary>
/// Runs ffmpeg/ffprobe as a child process: arguments through <see cref="ProcessStartInfo.ArgumentList"/>
/// (no shell, so file names with spaces or quotes are safe), stdout captured as bytes, stdin fed
/// from memory, a wall-clock limit, and the child killed and reaped on timeout, cancellation or
/// any failure, so no run leaves an ffmpeg behind (one clip per process: a decoder that hangs on
/// a corrupt file costs that clip only). Children still running when the process exits (a second
/// Ctrl+C, SIGTERM's grace time running out, <c>Environment.Exit</c> from a failing rank) are killed
/// by a <c>ProcessExit</c> handler instead of being re-parented to init. Only SIGKILL of this process
/// escapes it; its orphans then die on the broken pipe of their next write.
/// </summary>
internal static class ChildProcess
{
    private const int StderrTailChars = 4096;

    /// <summary>Children started and not yet reaped, by process id.</summary>
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    static ChildProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillRunning();
    }

    /// <exception cref="TimeoutException">The child ran past <paramref name="timeout"/>; it was killed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired; the child was killed.</exception>
    /// <exception cref="FileNotFoundException">The executable could not be started.</exception>
    public static ChildOutput Run(string executable, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancel, byte[]? stdin = null, int stdoutCapacity = 0)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // A call already cancelled starts nothing: spawning ffmpeg only to kill it costs a process start and a reap.
        cancel.ThrowIfCancellationRequested();
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new FileNotFoundException($"Could not start '{executable}': {e.Message}", executable, e);
        }
        Track(process);
        try
        {
            var stdout = new MemoryStream(stdoutCapacity);
            var reading = process.StandardOutput.BaseStream.CopyToAsync(stdout, cancel);
            var errors = process.StandardError.ReadToEndAsync(cancel);
            var writing = stdin is null ? Task.CompletedTask : Feed(process, stdin, cancel);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            limit.CancelAfter(timeout);
            try
            {
                process.WaitForExitAsync(limit.Token).GetAwaiter().GetResult();
                Task.WaitAll(reading, errors, writing);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new TimeoutException($"'{Path.GetFileName(executable)}' ran longer than {timeout.TotalSeconds:F0} s and was stopped.");
            }
            catch (AggregateException e) when (e.InnerException is IOException && stdin is not null)
            {
                // The child closed stdin early (it failed): its exit code and stderr say why.
            }
            string tail = errors.IsCompletedSuccessfully ? errors.Result : "";
            return new ChildOutput(process.ExitCode, stdout.ToArray(), tail.Length > StderrTailChars ? tail[^StderrTailChars..] : tail);
        }
        finally
        {
            Reap(process);
            Forget(process);
        }
    }

    /// <summary>Kills <paramref name="process"/> with the others if this process exits while it runs (the long-lived decode workers).</summary>
    public static void Track(Process process) => Running[process.Id] = process;

    /// <summary>Stops tracking a reaped process.</summary>
    public static void Forget(Process process) => Running.TryRemove(process.Id, out _);

    /// <summary>Kills the child (and anything it started) if it still runs, then waits for it, so it never outlives its use.</summary>
    public static void Reap(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }
    }

    private static void KillRunning()
    {
        foreach (var process in Running.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or Win32Exception)
            {
                // exited meanwhile
            }
        }
    }

    private static async Task Feed(Process process, byte[] stdin, CancellationToken cancel)
    {
        await using var input = process.StandardInput.BaseStream;
        await input.WriteAsync(stdin, cancel).ConfigureAwait(false);
    }
}
