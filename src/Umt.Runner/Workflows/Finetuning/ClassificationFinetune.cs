using System.Collections.Concurrent;
using System.Diagnostics;
using Serilog;
using TorchSharp;
using TorchSharp.Modules;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Randomness;
using Umt.Models.Weights;
using Umt.Runner.Engine.Checkpoints;
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
    /// <summary>The fine-tuned model's file in the output folder (the checkpoints' name, so <c>--checkpoint</c> takes the folder).</summary>
    public const string ModelFile = CheckpointStore.ModelFile;

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
        LogPositionTable(train.Student.Grid, pretrainedGrid);
        var schedule = settings.Schedule(train.DatasetInfo.Count, train.Optimizer.BaseBatch);
        log.Information("Fine-tuning {Checkpoint} for {Label} ({Classes} classes): {Steps} steps of {Batch} clips ({Warmup} warm-up), peak lr {Lr:G3}, layer decay {Decay}, drop-path {DropPath}, {Views} test views",
            checkpoint, labelSet, classes, schedule.TotalSteps, schedule.EffectiveBatch, schedule.WarmupSteps, schedule.PeakLr, settings.LayerDecay, train.StudentConfig.DropPath, views.Count);

        var training = new ProcessClock();
        var losses = Train(classifier, train, schedule, labelSet, outputDirectory, cancel);
        (double trainSeconds, double trainCpuSeconds) = (training.WallSeconds, training.CpuSeconds);

        Directory.CreateDirectory(outputDirectory);
        string modelPath = Path.Combine(outputDirectory, ModelFile);
        using (var scope = NewDisposeScope())
        {
            var weights = classifier.StateDict();
            FiniteValues.Require(weights, "the fine-tuned model");
            SafetensorsFile.WriteAtomic(modelPath, weights.ToDictionary(kv => kv.Key, kv => kv.Value.cpu()));
        }

        var testing = Stopwatch.StartNew();
        var test = Test(classifier, views, labelSet, classes, cancel);
        return new ClassificationOutcome(labelSet, classes, (int)train.DatasetInfo.Count, schedule.TotalSteps, losses, trainSeconds, trainCpuSeconds, testing.Elapsed.TotalSeconds, test, modelPath);
    }

    private void LogPositionTable(TokenGrid grid, TokenGrid? pretrainedGrid)
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
        int depth = plan.Student.Depth;
        var groups = LayerDecay.Groups(classifier.NamedParameters(), depth, settings.LayerDecay, settings.WeightDecay);
        double beta1 = FinetuneSettings.Betas[0], beta2 = FinetuneSettings.Betas[1], eps = plan.Optimizer.Eps;
        using var optimizer = optim.AdamW(
            [.. groups.Select(g => new AdamW.ParamGroup(g.Parameters, schedule.LearningRate(0) * g.LrScale, beta1, beta2, eps, g.WeightDecay, false, false))],
            schedule.LearningRate(0), beta1, beta2, eps, settings.WeightDecay, false, false);

        using var dataset = plan.CreateDataset(log);
        var failures = new SampleFailures(log, dataset.Info.Count, plan.Run.MaxFailureFraction);
        using var pipeline = new BatchPipeline(dataset, plan.Run.Seed, schedule.EffectiveBatch, new DataCursor(0, 0), plan.Run.DataWorkers, failures, plan.Run.PrefetchBatches);
        using var reporter = new TrainingReporter(log, outputDirectory, plan.Run.LogEvery, schedule.TotalSteps, progress, "finetune");
        classifier.Train(true);
        var losses = new List<double>();
        for (long step = 0; step < schedule.TotalSteps && !cancel.IsCancellationRequested; step++)
        {
            var stepClock = Stopwatch.StartNew();
            double lr = schedule.LearningRate(step);
            var batch = pipeline.Next();
            var dataWait = stepClock.Elapsed;
            losses.Add(Step(classifier, optimizer, groups, plan, batch, step, lr, labelSet));
            NativeGarbage.CollectAfterStep();
            reporter.Report(step + 1, losses[^1], new Dictionary<string, double> { ["cross-entropy"] = losses[^1] }, lr, stepClock.Elapsed.TotalSeconds, dataWait, failures.Count);
        }
        classifier.Train(false);
        return losses;
    }

    /// <summary>One optimizer step, inside its own dispose scope: the module and optimizer live outside it.</summary>
    private double Step(VideoClassifier classifier, AdamW optimizer, IReadOnlyList<LayerDecayGroup> groups, RunPlan plan, HostBatch host, long step, double lr, string labelSet)
    {
        using var scope = NewDisposeScope();
        for (int g = 0; g < groups.Count; g++)
        {
            optimizer.ParamGroups.ElementAt(g).LearningRate = lr * groups[g].LrScale;
        }
        var video = new EvaluationBatch(host.Indices, host.Samples).Video(plan);                                  // [B, 3, T, H, W]
        var labels = tensor(host.Samples.Select(s => (long)s.Labels[labelSet]).ToArray(), device: plan.Device);   // [B]
        // Drop-path per sample from its key, as the pretraining step draws it.
        var dropPath = plan.StudentConfig.DropPath > 0
            ? new SampleKeys(plan.Run.Seed, step, host.Indices).Uniform(TrainingStep.DropPathPurpose, [plan.Student.Depth, 2], plan.Device) // [B, depth, 2]
            : null;
        var logits = classifier.Logits(video, dropPath);                                                           // [B, C]
        var loss = nn.functional.cross_entropy(logits, labels, label_smoothing: settings.LabelSmoothing);          // []
        double value = loss.item<float>();
        if (!double.IsFinite(value))
        {
            throw new TrainingDivergedException($"The fine-tuning loss became non-finite ({value}) at step {step + 1}; lower --lr.");
        }
        loss.backward();
        optimizer.step();
        optimizer.zero_grad();
        return value;
    }

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
