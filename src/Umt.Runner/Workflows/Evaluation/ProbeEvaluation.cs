using System.Collections.Concurrent;
using Serilog;
using Umt.Abstractions.Datasets;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Progress;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Evaluation;

/// <summary>The probe's result for one label set.</summary>
public sealed record ProbeResult(string LabelSet, int Classes, int Train, int Test, ProbeAccuracy Linear, ProbeAccuracy Knn, int K);

/// <summary>
/// <c>umt eval probe</c>: frozen student features of a training and a held-out split (read in eval
/// mode, never augmented), then a linear probe and weighted k-NN per label set, accuracy on the
/// held-out split only.
/// </summary>
/// <param name="progress">Where reading each split's clips is shown.</param>
/// <param name="pooled">One feature vector per clip, <c>[b, 3, T, H, W]</c> → <c>[b, D]</c>: a frozen student's, or any frozen encoder's (<c>umt compare</c> probes the teacher too).</param>
public sealed class ProbeEvaluation(Func<Tensor, Tensor> pooled, ILogger log, ProgressRenderer progress)
{
    public ProbeEvaluation(FrozenStudent student, ILogger log, ProgressRenderer progress) : this(student.Pooled, log, progress)
    {
    }

    public IReadOnlyList<ProbeResult> Run(RunPlan train, RunPlan test, string? labelSet, int k, CancellationToken cancel)
    {
        using var scope = NewDisposeScope();
        var sets = train.DatasetInfo.LabelSets.Keys.Where(s => test.DatasetInfo.LabelSets.ContainsKey(s)).Where(s => labelSet is null || s == labelSet).ToList();
        if (sets.Count == 0)
        {
            throw new ArgumentException(labelSet is null
                ? $"The dataset '{train.Dataset.Entry.Name}' carries no label set in both splits; a probe needs labels."
                : $"--label '{labelSet}' is not a label set of both splits (train has: {string.Join(", ", train.DatasetInfo.LabelSets.Keys)}).");
        }
        var (trainX, trainLabels) = Features(train, "train", cancel);
        var (testX, testLabels) = Features(test, "test", cancel);
        var results = new List<ProbeResult>();
        foreach (string set in sets)
        {
            int classes = Math.Max(train.DatasetInfo.LabelSets[set], test.DatasetInfo.LabelSets[set]);
            long[] trainY = [.. trainLabels.Select(l => (long)l[set])], testY = [.. testLabels.Select(l => (long)l[set])];
            var linear = LinearProbe.Linear(trainX, trainY, testX, testY, classes);
            var knn = LinearProbe.NearestNeighbours(trainX, trainY, testX, testY, classes, k);
            log.Information("probe {Set}: linear top-1 {Top1:F3} top-5 {Top5:F3}, {K}-NN top-1 {Knn:F3} ({Train} train / {Test} held-out clips, {Classes} classes)",
                set, linear.Top1, linear.Top5, k, knn.Top1, trainY.Length, testY.Length, classes);
            results.Add(new ProbeResult(set, classes, trainY.Length, testY.Length, linear, knn, k));
        }
        return results;
    }

    private (Tensor Features, List<IReadOnlyDictionary<string, int>> Labels) Features(RunPlan plan, string split, CancellationToken cancel)
    {
        using var dataset = plan.CreateDataset(log);
        using var counter = progress.Start($"eval probe ({split} split)", dataset.Info.Count, "clips");
        var unreadable = new ConcurrentBag<(long, UnreadableMediaException)>();
        var features = new List<Tensor>();
        var labels = new List<IReadOnlyDictionary<string, int>>();
        foreach (var batch in EvaluationReader.Batches(dataset, batchSize: 32, plan.Run.DataWorkers, unreadable, counter, cancel))
        {
            // One scope per batch: the forward's activations are freed here, not at the end of the split.
            using var batchScope = NewDisposeScope();
            features.Add(pooled(batch.Video(plan)).cpu().MoveToOuterDisposeScope());                // [b, D]
            labels.AddRange(batch.Samples.Select(s => s.Labels));
        }
        if (!unreadable.IsEmpty)
        {
            log.Warning("probe: {Count} unreadable samples of {Dataset} skipped", unreadable.Count, plan.Dataset.OptionsPath);
        }
        if (features.Count == 0)
        {
            throw new InvalidOperationException($"No readable sample in {plan.Dataset.OptionsPath}.");
        }
        return (cat(features, 0).to(ScalarType.Float32), labels);                                    // [n, D]
    }
}
