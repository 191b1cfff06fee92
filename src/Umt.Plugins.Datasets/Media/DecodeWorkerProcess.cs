using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Umt.DecodeWorker;

namespace Umt.Plugins.Datasets.Media;

/// <summary>
/// One running decode worker (src/Umt.DecodeWorker): its pipes, and the tail of what libav wrote
/// to its stderr (drained all the time, so a chatty decoder never blocks on a full pipe). Used by
/// one caller at a time; the pool hands it out.
/// </summary>
internal sealed class DecodeWorkerProcess : IDisposable
{
    private const int StderrTailChars = 2048;

    private readonly Process process;
    private readonly Stream input;
    private readonly Stream output;
    private readonly StringBuilder stderr = new();

    private DecodeWorkerProcess(Process process)
    {
        this.process = process;
        input = new BufferedStream(process.StandardInput.BaseStream, 1 << 12);
        output = new BufferedStream(process.StandardOutput.BaseStream, 1 << 20);
        process.ErrorDataReceived += (_, line) =>
        {
            lock (stderr)
            {
                stderr.Append(line.Data).Append('\n');
                if (stderr.Length > 2 * StderrTailChars)
                {
                    stderr.Remove(0, stderr.Length - StderrTailChars);
                }
            }
        };
        process.BeginErrorReadLine();
    }

    public int Id => process.Id;

    /// <summary>Starts a worker and reads its greeting.</summary>
    /// <returns>The worker, or null with <paramref name="failure"/> saying why this machine cannot run workers.</returns>
    public static DecodeWorkerProcess? Start(string worker, out string? failure)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(worker);
        var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            failure = $"could not start '{start.FileName} exec {worker}': {e.Message}";
            process.Dispose();
            return null;
        }
        ChildProcess.Track(process);
        var started = new DecodeWorkerProcess(process);
        try
        {
            failure = DecodeProtocol.ReadGreeting(started.output);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            failure = $"the decode worker did not start: {e.Message} {started.StderrTail()}".Trim();
        }
        if (failure is null)
        {
            return started;
        }
        started.Dispose();
        return null;
    }

    /// <summary>Sends one request and waits for its answer; the caller kills the worker when the wait is given up.</summary>
    /// <exception cref="IOException">The worker died (its pipe closed) before it answered.</exception>
    public (DecodeStatus Status, string Message, int Decoded, byte[] Rgb) Decode(DecodeRequest request)
    {
        DecodeProtocol.WriteRequest(input, request);
        return DecodeProtocol.ReadAnswer(output);
    }

    /// <summary>How the worker ended (exit code or signal) and the last lines it wrote to stderr.</summary>
    public string Obituary()
    {
        process.WaitForExit(1000);
        string exit = !process.HasExited ? "still running" : process.ExitCode > 128 ? $"killed by signal {process.ExitCode - 128}" : $"exit code {process.ExitCode}";
        return $"{exit}; {StderrTail()}".TrimEnd(' ', ';');
    }

    /// <summary>Kills it (a worker stuck in a decode cannot be asked to stop).</summary>
    public void Kill() => ChildProcess.Reap(process);

    /// <summary>Closes its stdin (its cue to exit), then reaps it.</summary>
    public void Dispose()
    {
        try
        {
            input.Dispose();
        }
        catch (IOException)
        {
            // the worker is gone already
        }
        if (!process.WaitForExit(2000))
        {
            ChildProcess.Reap(process);
        }
        ChildProcess.Forget(process);
        process.Dispose();
    }

    private string StderrTail()
    {
        lock (stderr)
        {
            var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return string.Join(" | ", lines.TakeLast(3));
        }
    }

    /// <summary>
    /// The <c>dotnet</c> that runs this process (the SDK's DOTNET_HOST_PATH under <c>dotnet test</c>,
    /// else this process's own host), so the worker runs on the same runtime.
    /// </summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }
        return Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
