using System.Collections.Concurrent;
using System.Diagnostics;
using Serilog;
using TorchSharp;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Randomness;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Data;
using Umt.Runner.Engine.Distributed;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Engine.Step;
using Umt.Runner.Engine.Training;
using Umt.Runner.Workflows.Evaluation;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// <c>umt finetune --task classification</c>, as the reference's run_class_finetuning.py: the
/// pretrained student (every token visible) with a fresh mean-pool head trained end to end on the
/// training split, read with the dataset's training augmentation; AdamW (0.9, 0.999) over
/// layer-decayed groups, warm-up then cosine per step, cross-entropy with label smoothing; then
/// the multi-view test on the held-out split (mean of the views' softmax, top-1/top-5).
/// </summary>
public sealed class ClassificationFinetune(FinetuneSettings settings, ILogger log, ProgressRenderer progress)
{
    /// <param name="train">The plan whose dataset is the training split (training mode).</param>
    /// <param name="views">One plan per test view, each reading the held-out split at that view.</param>
    /// <param name="checkpoint">The pretrained <c>model.safetensors</c>.</param>
    /// <param name="pretrainedGrid">The checkpoint's token grid (<see cref="PretrainedGrid"/>), or null where unknown.</param>
    /// <param name="outputDirectory">Receives the fine-tuned <c>model.safetensors</c> (written atomically).</param>
    public ClassificationOutcome Run(RunPlan train, IReadOnlyList<RunPlan> views, string checkpoint, TokenGrid? pretrainedGrid, string labelSet, string outputDirectory, CancellationToken cancel)
    {
        int classes = Math.Max(train.DatasetInfo.LabelSets[labelSet], views[0].DatasetInfo.LabelSets[labelSet]);
        TorchThreads.Configure(train.Run.Threads, processesOnMachine: 1);
        torch.manual_seed(train.Run.Seed);
        using var classifier = VideoClassifier.FromCheckpoint(train.StudentConfig, checkpoint, classes, settings.HeadDropout, settings.InitScale, train.Device, pretrainedGrid);
        LogPositionTable(log, train.Student.Grid, pretrainedGrid);
        var schedule = settings.Schedule(train.DatasetInfo.Count, train.Optimizer.BaseBatch);
        log.Information("Fine-tuning {Checkpoint} for {Label} ({Classes} classes): {Steps} steps of {Batch} clips ({Warmup} warm-up), peak lr {Lr:G3}, layer decay {Decay}, drop-path {DropPath}, {Views} test views",
            checkpoint, labelSet, classes, schedule.TotalSteps, schedule.EffectiveBatch, schedule.WarmupSteps, schedule.PeakLr, settings.LayerDecay, train.StudentConfig.DropPath, views.Count);

        var training = new ProcessClock();
        var losses = Train(classifier, train, schedule, labelSet, outputDirectory, cancel);
        (double trainSeconds, double trainCpuSeconds) = (training.WallSeconds, training.CpuSeconds);

        string modelPath = FinetunedModelFile.Write(outputDirectory, train, classifier.StateDict);

        var testing = Stopwatch.StartNew();
        var test = Test(classifier, views, labelSet, classes, cancel);
        return new ClassificationOutcome(labelSet, classes, (int)train.DatasetInfo.Count, schedule.TotalSteps, losses, trainSeconds, trainCpuSeconds, testing.Elapsed.TotalSeconds, test, modelPath);
    }

    internal static void LogPositionTable(ILogger log, TokenGrid grid, TokenGrid? pretrainedGrid)
    {
        if (pretrainedGrid is null)
        {
            log.Information("The checkpoint has no run configuration, so its pre-training geometry is unknown: the position table is the sin-cos table of {Grid}", grid);
        }
        else if (pretrainedGrid != grid)
        {
            log.Information("Position table interpolated from the pre-training grid {From} to {To} (bicubic in space, linear in time)", pretrainedGrid, grid);
        }
    }

    /// <summary>The label set to fine-tune on: the one asked for, or the dataset's only one.</summary>
    /// <exception cref="ConfigurationException">The dataset lacks it (the message names the valid ones), or carries none, or several and none was asked for.</exception>
    public static string ResolveLabelSet(DatasetInfo train, DatasetInfo test, string datasetName, string? requested)
    {
        var valid = train.LabelSets.Keys.Where(test.LabelSets.ContainsKey).Order(StringComparer.Ordinal).ToList();
        if (valid.Count == 0)
        {
            throw new ConfigurationException($"--label: the dataset '{datasetName}' carries no label set in both splits; classification fine-tuning needs labels.");
        }
        if (requested is null)
        {
            return valid.Count == 1
                ? valid[0]
                : throw new ConfigurationException($"--label: the dataset '{datasetName}' has several label sets; choose one of: {string.Join(", ", valid)}.");
        }
        return valid.Contains(requested)
            ? requested
            : throw new ConfigurationException($"--label '{requested}': the dataset '{datasetName}' has no such label set; valid: {string.Join(", ", valid)}.");
    }

    private List<double> Train(VideoClassifier classifier, RunPlan plan, TrainingSchedule schedule, string labelSet, string outputDirectory, CancellationToken cancel)
    {
        classifier.Train(true);
        var losses = new FinetuneTraining(settings, log, progress).Run(classifier.NamedParameters(), plan, schedule, outputDirectory, "cross-entropy", (host, step) =>
        {
            var video = new EvaluationBatch(host.Indices, host.Samples).Video(plan);                                  // [B, 3, T, H, W]
            var labels = tensor(host.Samples.Select(s => (long)s.Labels[labelSet]).ToArray(), device: plan.Device);   // [B]
            var logits = classifier.Logits(video, DropPath(plan, host, step));                                        // [B, C]
            return nn.functional.cross_entropy(logits, labels, label_smoothing: settings.LabelSmoothing);             // []
        }, cancel);
        classifier.Train(false);
        return losses;
    }

    /// <summary>Drop-path draws per sample from its key, as the pretraining step draws them; null without drop-path.</summary>
    internal static Tensor? DropPath(RunPlan plan, HostBatch host, long step) =>
        plan.StudentConfig.DropPath > 0
            ? new SampleKeys(plan.Run.Seed, step, host.Indices).Uniform(TrainingStep.DropPathPurpose, [plan.Student.Depth, 2], plan.Device) // [B, depth, 2]
            : null;

    private MultiViewAccuracy Test(VideoClassifier classifier, IReadOnlyList<RunPlan> views, string labelSet, int classes, CancellationToken cancel)
    {
        long count = views[0].DatasetInfo.Count;
        using var all = new MultiViewScores(count, classes);
        using var first = new MultiViewScores(count, classes);
        var labels = new long[count];
        var unreadable = new ConcurrentBag<(long, UnreadableMediaException)>();
        using var noGrad = no_grad();
        for (int view = 0; view < views.Count; view++)
        {
            var plan = views[view];
            using var dataset = plan.CreateDataset(log);
            using var counter = progress.Start($"finetune test view {view + 1}/{views.Count}", count, "clips");
            foreach (var batch in EvaluationReader.Batches(dataset, settings.BatchSize, plan.Run.DataWorkers, unreadable, counter, cancel))
            {
                using var batchScope = NewDisposeScope(); // the forward's activations are freed per batch
                var logits = classifier.Logits(batch.Video(plan), null);                             // [b, C]
                all.Add(view, batch.Indices, logits);
                if (view == 0)
                {
                    first.Add(view, batch.Indices, logits);
                }
                for (int row = 0; row < batch.Indices.Count; row++)
                {
                    labels[batch.Indices[row]] = batch.Samples[row].Labels[labelSet];
                }
            }
            log.Information("Test view {View} of {Views} read", view + 1, views.Count);
        }
        var (read, mean) = all.Mean();
        if (read.Length == 0)
        {
            throw new InvalidOperationException($"No readable held-out sample in {views[0].Dataset.OptionsPath}.");
        }
        var (firstRead, firstMean) = first.Mean();
        using (mean)
        using (firstMean)
        {
            var multi = LinearProbe.Accuracy(mean, [.. read.Select(i => labels[i])]);
            var single = LinearProbe.Accuracy(firstMean, [.. firstRead.Select(i => labels[i])]);
            return new MultiViewAccuracy(views.Count, read.Length, multi, single, unreadable.Count);
        }
    }
}
