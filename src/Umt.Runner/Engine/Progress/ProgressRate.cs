using System.Diagnostics;
using System.Globalization;

namespace Umt.Runner.Engine.Progress;

/// <summary>
/// Rate and time left of a loop, measured from its first report on: what comes before it (loading
/// a model, the first step's warm-up) is a one-off cost that would make the ETA of a long run
/// pessimistic for its whole length if it were averaged in.
/// </summary>
public sealed class ProgressRate(long total)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TimeSpan firstTime;
    private long firstDone = -1;

    public long Total => total;

    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>Units per second; before a second report, over the time since the loop started.</summary>
    public double PerSecond { get; private set; }

    public void Observe(long done)
    {
        if (firstDone < 0)
        {
            firstDone = done;
            firstTime = clock.Elapsed;
            PerSecond = done / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            return;
        }
        double seconds = (clock.Elapsed - firstTime).TotalSeconds;
        if (done > firstDone && seconds > 0)
        {
            PerSecond = (done - firstDone) / seconds;
        }
    }

    /// <summary>Time left at the current rate, or null while no rate is known.</summary>
    public TimeSpan? Remaining(long done) =>
        PerSecond > 0 ? TimeSpan.FromSeconds(Math.Round(Math.Max(0, total - done) / PerSecond)) : null;

    /// <summary><c>m:ss</c>, or <c>h:mm:ss</c> from an hour on; <c>?</c> while unknown.</summary>
    public static string Clock(TimeSpan? time) => time is { } t
        ? t.ToString(t.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture)
        : "?";
}
