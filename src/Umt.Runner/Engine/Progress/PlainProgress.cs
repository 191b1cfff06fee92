using System.Globalization;

namespace Umt.Runner.Engine.Progress;

/// <summary>
/// Progress as whole lines (a log file, a CI job, a pipe): the first report, then at most one line
/// every <see cref="Interval"/>, then the last, each with the count, rate and ETA, so a log stays
/// readable and still says how far a job got.
/// </summary>
public sealed class PlainProgress(TextWriter error, string label, long total, string unit) : IProgressCounter
{
    /// <summary>Often enough to see a stall in a log, rare enough that a day-long run writes a few thousand lines.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ProgressRate rate = new(total);
    private readonly Lock gate = new(); // parallel writers (data synth) report from several threads
    private TimeSpan? lastLine;
    private long done = -1;
    private long written = -1;
    private string? detail;

    public void Report(long done, string? detail = null)
    {
        lock (gate)
        {
            // Parallel writers may report out of order: the count only grows.
            this.done = Math.Max(this.done, done);
            this.detail = detail;
            rate.Observe(this.done);
            bool due = lastLine is null || rate.Elapsed - lastLine >= Interval || this.done >= total;
            if (due && this.done != written)
            {
                Write();
            }
        }
    }

    /// <summary>A loop that stops early (Ctrl+C, a failure) still leaves a line with how far it got.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (done >= 0 && done != written)
            {
                Write();
            }
        }
    }

    private void Write()
    {
        double percent = total > 0 ? 100.0 * done / total : 100;
        error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: {done}/{total} {unit} ({percent:F0}%), {rate.PerSecond:G3} {unit}/s, ETA {ProgressRate.Clock(rate.Remaining(done))}{(detail is null ? "" : $", {detail}")}"));
        error.Flush();
        lastLine = rate.Elapsed;
        written = done;
    }
}
