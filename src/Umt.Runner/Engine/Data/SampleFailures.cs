using System.Collections.Concurrent;
using System.Globalization;
using Serilog;
using Umt.Abstractions.Datasets;

namespace Umt.Runner.Engine.Data;

/// <summary>
/// The samples a run could not read: each logged once with its file and reason, counted by
/// reason, and kept so later epochs skip them without decoding again. A run stops with a clear
/// error only when more than <c>Umt:Run:MaxFailureFraction</c> of the dataset has failed: a few
/// broken videos are normal in Kinetics or WebVid, a wrong media root is not. Thread-safe: decode
/// workers record concurrently.
/// </summary>
public sealed class SampleFailures(ILogger log, long datasetCount, double maxFraction)
{
    /// <summary>Reason recorded for samples restored from a checkpoint (their reason was logged in that sitting).</summary>
    public const string EarlierSitting = "failed in an earlier sitting";

    private readonly ConcurrentDictionary<long, string> failed = new();
    private readonly ConcurrentDictionary<string, int> byReason = new();

    /// <summary>Distinct samples that failed.</summary>
    public int Count => failed.Count;

    /// <summary>Failed samples per reason, most frequent first.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> ByReason => Merge(byReason);

    /// <summary>Counts by reason of several streams (stage 2's videos and images), most frequent first.</summary>
    public static IReadOnlyList<KeyValuePair<string, int>> Merge(params IEnumerable<KeyValuePair<string, int>>[] streams) =>
        [.. streams.SelectMany(s => s).GroupBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, g.Sum(kv => kv.Value)))
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)];

    /// <summary>Failed sample indices, ascending (saved in checkpoints).</summary>
    public long[] Indices => [.. failed.Keys.Order()];

    /// <summary>The most failures the run tolerates before it stops.</summary>
    public long Limit => (long)Math.Floor(maxFraction * datasetCount);

    public bool IsKnown(long index) => failed.ContainsKey(index);

    /// <summary>Logs and counts a failure the first time a sample fails.</summary>
    /// <exception cref="TooManyFailedSamplesException">More than the tolerated fraction of the dataset has failed.</exception>
    public void Record(long index, UnreadableMediaException failure)
    {
        if (!failed.TryAdd(index, failure.Reason))
        {
            return;
        }
        byReason.AddOrUpdate(failure.Reason, 1, (_, n) => n + 1);
        log.Warning("Skipping sample {Index}: {Path}: {Reason} {Detail}", [index, failure.MediaPath, failure.Reason, failure.Detail]);
        if (Count > Limit)
        {
            string reasons = string.Join(", ", ByReason.Select(kv => $"{kv.Key} ×{kv.Value}"));
            throw new TooManyFailedSamplesException(string.Create(CultureInfo.InvariantCulture,
                $"{Count} of {datasetCount} samples could not be read, more than Umt:Run:MaxFailureFraction = {maxFraction} allows ({Limit}). Reasons: {reasons}. Check the media root and manifest with 'umt data verify MANIFEST --root DIR', or raise the fraction."));
        }
    }

    /// <summary>Failures of an earlier sitting of a resumed run: counted again, not logged again.</summary>
    public void Restore(IEnumerable<long> indices)
    {
        foreach (long index in indices)
        {
            if (failed.TryAdd(index, EarlierSitting))
            {
                byReason.AddOrUpdate(EarlierSitting, 1, (_, n) => n + 1);
            }
        }
    }
}

/// <summary>A run read more unreadable samples than <c>Umt:Run:MaxFailureFraction</c> allows.</summary>
public sealed class TooManyFailedSamplesException(string message) : Exception(message);
