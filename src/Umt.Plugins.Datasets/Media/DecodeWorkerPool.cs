using System.Collections.Concurrent;
using Serilog;
using Umt.Abstractions.Datasets;
using Umt.DecodeWorker;

namespace Umt.Plugins.Datasets.Media;

/// <summary>
/// Long-lived decode workers for one dataset (issue 17 item 5): a caller takes an idle worker or
/// starts one, so there are as many as data workers decode at once. The isolation of one process
/// per clip stays: a worker that runs past the clip's time limit is killed, one that dies (a
/// decoder crash) is reaped, the clip is counted unreadable with a reason that says a worker was
/// restarted, and the next clip starts a fresh worker. When the first worker cannot load the
/// FFmpeg libraries, the pool says so once and every clip goes to the CLI.
/// </summary>
internal sealed class DecodeWorkerPool(TimeSpan timeout, ILogger log) : IDisposable
{
    /// <summary>Reason of a clip whose worker ran past the time limit and was killed.</summary>
    public const string TimedOut = "timed out (decode worker restarted)";

    /// <summary>Reason of a clip whose worker died while decoding it.</summary>
    public const string Crashed = "decode worker crashed (restarted)";

    /// <summary>The worker is the assembly that defines the protocol, built beside this one.</summary>
    private static readonly string WorkerPath = typeof(DecodeRequest).Assembly.Location;

    private readonly ConcurrentBag<DecodeWorkerProcess> idle = [];
    private readonly ConcurrentDictionary<int, DecodeWorkerProcess> busy = new();
    private string? unavailable;
    private int restarts;
    private bool disposed;

    /// <summary>Workers killed or found dead and replaced since the pool started.</summary>
    public int Restarts => Volatile.Read(ref restarts);

    /// <summary>Why workers cannot run here (the CLI decodes instead), or null.</summary>
    public string? Unavailable => Volatile.Read(ref unavailable);

    /// <summary>Process ids of the workers decoding right now (tests kill one to stand for a crash).</summary>
    public IReadOnlyCollection<int> Busy => [.. busy.Keys];

    /// <returns>The worker's answer, or null when workers are unavailable (decode with the CLI).</returns>
    /// <exception cref="UnreadableMediaException">The worker timed out or died on this clip; it was replaced.</exception>
    public (DecodeStatus Status, string Message, int Decoded, byte[] Rgb)? Decode(DecodeRequest request, CancellationToken cancel)
    {
        // Before a worker is taken: a cancelled read must not start a worker only to kill it.
        cancel.ThrowIfCancellationRequested();
        var worker = Take();
        if (worker is null)
        {
            return null;
        }
        busy[worker.Id] = worker;
        var answer = Task.Run(() => worker.Decode(request), CancellationToken.None);
        bool answered;
        try
        {
            answered = answer.Wait(timeout, cancel);
        }
        catch (OperationCanceledException)
        {
            Retire(worker);
            throw;
        }
        catch (AggregateException e) when (e.InnerException is IOException)
        {
            string obituary = worker.Obituary();
            Retire(worker);
            throw new UnreadableMediaException(request.Path, Crashed, obituary, e.InnerException);
        }
        if (!answered)
        {
            Retire(worker);
            throw new UnreadableMediaException(request.Path, TimedOut, $"no frames after {timeout.TotalSeconds:F0} s; the worker was killed");
        }
        busy.TryRemove(worker.Id, out _);
        idle.Add(worker);
        return answer.Result;
    }

    public void Dispose()
    {
        disposed = true;
        while (idle.TryTake(out var worker))
        {
            worker.Dispose();
        }
        foreach (var worker in busy.Values)
        {
            worker.Kill();
        }
    }

    private DecodeWorkerProcess? Take()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (idle.TryTake(out var worker))
        {
            return worker;
        }
        if (Unavailable is not null)
        {
            return null;
        }
        worker = DecodeWorkerProcess.Start(WorkerPath, out string? failure);
        if (worker is null)
        {
            if (Interlocked.CompareExchange(ref unavailable, failure, null) is null)
            {
                log.Warning("Decode workers unavailable ({Reason}); decoding with one ffmpeg process per clip instead", failure);
            }
        }
        return worker;
    }

    /// <summary>Kills and drops a worker; the next clip starts a new one (counted as a restart).</summary>
    private void Retire(DecodeWorkerProcess worker)
    {
        busy.TryRemove(worker.Id, out _);
        worker.Kill();
        worker.Dispose();
        Interlocked.Increment(ref restarts);
    }
}
