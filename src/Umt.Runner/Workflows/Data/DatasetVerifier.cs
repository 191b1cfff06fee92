using System.Collections.Concurrent;
using Umt.Abstractions.Datasets;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.Evaluation;

namespace Umt.Runner.Workflows.Data;

/// <summary>One sample that could not be read.</summary>
public sealed record VerifyFailure(long Index, string MediaPath, string Reason, string Detail);

/// <summary>What <c>umt data verify</c> found.</summary>
public sealed record VerifyReport(long Samples, IReadOnlyList<VerifyFailure> Failures)
{
    /// <summary>Failures grouped by reason, most frequent first, samples in index order.</summary>
    public IEnumerable<IGrouping<string, VerifyFailure>> ByReason =>
        Failures.OrderBy(f => f.Index).GroupBy(f => f.Reason).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal);

    public void Write(TextWriter output, string dataset, string manifest)
    {
        output.WriteLine($"{dataset}: {Samples} samples in {manifest}: {Samples - Failures.Count} readable, {Failures.Count} unreadable");
        foreach (var group in ByReason)
        {
            output.WriteLine($"  {group.Key} ({group.Count()})");
            foreach (var failure in group)
            {
                output.WriteLine($"    sample {failure.Index}: {failure.MediaPath}{(failure.Detail.Length > 0 ? $"  ({failure.Detail})" : "")}");
            }
        }
    }
}

/// <summary>
/// Reads every sample of a dataset exactly as training would (same decoder, sampling and crop), in
/// parallel, and collects the ones that fail, so a corpus can be checked before hours of training.
/// </summary>
public static class DatasetVerifier
{
    public static VerifyReport Verify(IVideoDataset dataset, int workers, ProgressRenderer progress, CancellationToken cancel)
    {
        var unreadable = new ConcurrentBag<(long Index, UnreadableMediaException Failure)>();
        using var counter = progress.Start("data verify", dataset.Info.Count, "samples");
        foreach (var _ in EvaluationReader.Batches(dataset, batchSize: 4 * Math.Max(1, workers), workers, unreadable, counter, cancel))
        {
            // the readable samples are not kept: only the failures are the report
        }
        return new VerifyReport(dataset.Info.Count, [.. unreadable.OrderBy(u => u.Index).Select(u => new VerifyFailure(u.Index, u.Failure.MediaPath, u.Failure.Reason, u.Failure.Detail))]);
    }
}
