using System.Runtime.InteropServices;
using Umt.Runner.Engine;

namespace Umt.Runner.Cli;

/// <summary>
/// SIGINT (Ctrl+C), SIGTERM (what SLURM and Kubernetes send before preempting a job) and SIGHUP (a
/// closed terminal) all ask the running verb to stop at its next step boundary: training writes a
/// checkpoint and the process exits with 128 + the signal's number (130, 143, 129), as shells report
/// a death by that signal. The stop is bounded: if the process has not exited
/// <see cref="GraceTime"/> after the first signal (a step or a checkpoint longer than the
/// scheduler's kill delay, or a verb that ignores cancellation), or at a second signal, it exits at
/// once; the last complete checkpoint stands, and exit handlers kill any ffmpeg children.
/// </summary>
public sealed class StopSignals : IDisposable
{
    /// <summary>Environment variable overriding <see cref="DefaultGrace"/>, in seconds.</summary>
    public const string GraceVariable = "UMT_STOP_GRACE_SECONDS";

    /// <summary>Below the 30 s that SLURM (KillWait) and Kubernetes (terminationGracePeriodSeconds) wait by default before SIGKILL, so the exit is ours.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(25);

    private readonly CancellationTokenSource stop = new();
    private readonly List<PosixSignalRegistration> registrations = [];
    private readonly TextWriter error;
    private readonly Action<int> exit;
    private readonly object gate = new();
    private Timer? deadline;

    /// <param name="exit">Ends the process with a code (<see cref="ProcessEnd.Exit"/>; a recorder in tests).</param>
    public StopSignals(TextWriter error, TimeSpan grace, Action<int> exit)
    {
        this.error = error;
        this.exit = exit;
        GraceTime = grace;
    }

    public TimeSpan GraceTime { get; }

    /// <summary>Cancelled at the first signal.</summary>
    public CancellationToken Token => stop.Token;

    /// <summary>128 + the first signal's number once one arrived; null before.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>Handles the three signals in this process (instead of the runtime's immediate termination).</summary>
    public static StopSignals Install(TextWriter error)
    {
        var signals = new StopSignals(error, GraceFromEnvironment(error), ProcessEnd.Exit);
        foreach (var (signal, number) in new[] { (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1) })
        {
            signals.registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true; // the runtime would end the process at once; the verb stops itself
                signals.Receive(signal.ToString(), number);
            }));
        }
        return signals;
    }

    /// <summary>A signal arrived: the first one cancels <see cref="Token"/> and starts the grace time, a second one exits now.</summary>
    public void Receive(string name, int number)
    {
        lock (gate)
        {
            if (ExitCode is { } code)
            {
                error.WriteLine($"\numt: {name} again; exiting now (the last complete checkpoint stands).");
                exit(code);
                return;
            }
            ExitCode = 128 + number;
            error.WriteLine($"\numt: {name} received; stopping after this step with a checkpoint (at most {GraceTime.TotalSeconds:0.#} s; a second signal exits at once).");
            int exitCode = ExitCode.Value;
            // The deadline runs before anything else: cancelling runs the token's callbacks on this
            // thread, and one that blocks must neither hold off the grace time nor the gate a second
            // signal needs.
            deadline = new Timer(_ => GraceExpired(name, exitCode), null, GraceTime, Timeout.InfiniteTimeSpan);
        }
        stop.Cancel();
    }

    /// <summary>The exit code for a verb's result: an interrupted verb reports the signal that interrupted it.</summary>
    public int ExitCodeFor(int verbResult) => verbResult == ExitCodes.Interrupted && ExitCode is { } code ? code : verbResult;

    public void Dispose()
    {
        deadline?.Dispose();
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }
        stop.Dispose();
    }

    private void GraceExpired(string name, int code)
    {
        error.WriteLine($"\numt: still running {GraceTime.TotalSeconds:0.#} s after {name}; exiting without a new checkpoint (the last complete one stands; set {GraceVariable} for a longer grace time).");
        error.Flush();
        exit(code);
    }

    private static TimeSpan GraceFromEnvironment(TextWriter error)
    {
        string? text = Environment.GetEnvironmentVariable(GraceVariable);
        if (string.IsNullOrEmpty(text))
        {
            return DefaultGrace;
        }
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds) && seconds > 0 && seconds <= 86400)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        error.WriteLine($"umt: {GraceVariable} = '{text}' is not a number of seconds in (0, 86400]; using {DefaultGrace.TotalSeconds:F0} s.");
        return DefaultGrace;
    }
}
