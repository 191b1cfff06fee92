using System.Collections.Concurrent;
using Umt.Abstractions.Datasets;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Engine.Step;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Evaluation;

/// <summary>A batch of readable samples with their dataset indices.</summary>
public sealed record EvaluationBatch(IReadOnlyList<long> Indices, IReadOnlyList<VideoSample> Samples)
{
    /// <summary>The clips as one tensor on the device, <c>[b, 3, T, H, W]</c>.</summary>
    public Tensor Video(RunPlan plan)
    {
        int size = Samples[0].Pixels.Length;
        var pixels = new float[Samples.Count * size];
        for (int row = 0; row < Samples.Count; row++)
        {
            Samples[row].Pixels.CopyTo(pixels, row * size);
        }
        return tensor(pixels, [Samples.Count, 3, plan.Student.Frames, plan.Student.ImageSize, plan.Student.ImageSize]).to(plan.Device);
    }
}

/// <summary>
/// Reads a whole dataset in order for evaluation, <c>DataWorkers</c> samples at a time, with the
/// fixed key 0 (eval-mode datasets draw nothing from it). Unreadable samples are collected, never
/// thrown: an evaluation reports what it could not read. Each chunk read is reported to
/// <c>progress</c> (samples read of the dataset, unreadable so far). The finalizers are held while
/// the caller works on a batch and run between batches (<see cref="NativeGarbage.Stepwise"/>), so a
/// whole evaluation is safe from TorchSharp's scalar race.
/// </summary>
public static class EvaluationReader
{
    public static IEnumerable<EvaluationBatch> Batches(IVideoDataset dataset, int batchSize, int workers,
        ConcurrentBag<(long Index, UnreadableMediaException Failure)> unreadable, IProgressCounter progress, CancellationToken cancel) =>
        NativeGarbage.Stepwise(Read(dataset, batchSize, workers, unreadable, progress, cancel));

    private static IEnumerable<EvaluationBatch> Read(IVideoDataset dataset, int batchSize, int workers,
        ConcurrentBag<(long Index, UnreadableMediaException Failure)> unreadable, IProgressCounter progress, CancellationToken cancel)
    {
        long count = dataset.Info.Count;
        for (long start = 0; start < count && !cancel.IsCancellationRequested; start += batchSize)
        {
            int length = (int)Math.Min(batchSize, count - start);
            var read = new VideoSample?[length];
            long first = start;
            Parallel.For(0, length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers), CancellationToken = cancel }, i =>
            {
                try
                {
                    read[i] = dataset.Read(first + i, augmentationKey: 0, cancel);
                }
                catch (UnreadableMediaException failure)
                {
                    unreadable.Add((first + i, failure));
                }
            });
            progress.Report(first + length, $"{unreadable.Count} unreadable");
            var indices = Enumerable.Range(0, length).Where(i => read[i] is not null).ToArray();
            if (indices.Length > 0)
            {
                yield return new EvaluationBatch([.. indices.Select(i => first + i)], [.. indices.Select(i => read[i]!)]);
            }
        }
    }
}
