using System.Collections.Concurrent;
using System.Diagnostics;
using Serilog;
using TorchSharp;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Plugins.Datasets.Ava;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Distributed;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Engine.Training;
using Umt.Runner.Workflows.Evaluation;
using Umt.Runner.Workflows.Evaluation.Detection;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// <c>umt finetune --task detection</c>, as the reference's AVA fine-tuning
/// (single_modality/action_detection): an <see cref="ActionDetector"/> trained end to end on the
/// training split's annotated boxes with a sigmoid cross-entropy per action (the mean over boxes
/// and actions times the boxes, <c>train_class_batch</c>), the fine-tuning loop and optimizer of
/// classification; then every box of the held-out split (the detections the dataset gives, else its
/// annotated boxes with score 1) scored per action as sigmoid × box score, written as an AVA
/// detections CSV beside the ground truth, and scored by the AVA frame-level evaluation.
/// </summary>
public sealed class DetectionFinetune(FinetuneSettings settings, ILogger log, ProgressRenderer progress)
{
    public const string GroundTruthFile = "groundtruth.csv";
    public const string DetectionsFile = "detections.csv";
    public const string LabelMapFile = "labelmap.pbtxt";

    /// <param name="train">The plan whose dataset is the training split.</param>
    /// <param name="test">The plan whose dataset is the held-out split.</param>
    /// <param name="checkpoint">The pretrained <c>model.safetensors</c>.</param>
    /// <param name="pretrainedGrid">The checkpoint's token grid, or null where unknown.</param>
    /// <param name="labels">The actions the head predicts, in its output order (rows of other actions are left out).</param>
    /// <param name="pretrained">False: the student keeps its random initialisation (the untrained baseline).</param>
    public DetectionOutcome Run(RunPlan train, RunPlan test, string checkpoint, TokenGrid? pretrainedGrid, IReadOnlyList<AvaLabel> labels, bool pretrained, string outputDirectory, CancellationToken cancel)
    {
        TorchThreads.Configure(train.Run.Threads, processesOnMachine: 1);
        torch.manual_seed(train.Run.Seed);
        using var detector = ActionDetector.FromCheckpoint(train.StudentConfig, checkpoint, labels.Count, settings.HeadDropout, settings.InitScale, train.Device, pretrainedGrid, pretrained);
        ClassificationFinetune.LogPositionTable(log, train.Student.Grid, pretrainedGrid);
        var schedule = settings.Schedule(train.DatasetInfo.Count, train.Optimizer.BaseBatch);
        log.Information("Detection fine-tuning of {Student} ({Classes} actions): {Steps} steps of {Batch} key frames ({Warmup} warm-up), peak lr {Lr:G3}, layer decay {Decay}, drop-path {DropPath}",
            pretrained ? checkpoint : "an untrained student", labels.Count, schedule.TotalSteps, schedule.EffectiveBatch, schedule.WarmupSteps, schedule.PeakLr, settings.LayerDecay, train.StudentConfig.DropPath);
        var classOf = labels.Select((label, index) => (label.Id, index)).ToDictionary();

        var training = new ProcessClock();
        detector.Train(true);
        var losses = new FinetuneTraining(settings, log, progress).Run(detector.NamedParameters(), train, schedule, outputDirectory, "sigmoid-cross-entropy", (host, step) =>
        {
            var actors = Actors(host.Samples, train, test: false);
            if (actors.Count == 0)
            {
                return null;
            }
            var video = new EvaluationBatch(host.Indices, host.Samples).Video(train);                                          // [B, 3, T, H, W]
            var targets = Targets(actors, classOf).to(train.Device);                                                             // [K, C]
            var logits = detector.Logits(video, Boxes(actors), ClassificationFinetune.DropPath(train, host, step));              // [K, C]
            return nn.functional.binary_cross_entropy_with_logits(logits, targets) * actors.Count;                               // []
        }, cancel);
        detector.Train(false);
        (double trainSeconds, double trainCpuSeconds) = (training.WallSeconds, training.CpuSeconds);
        string modelPath = FinetunedModelFile.Write(outputDirectory, train, detector.StateDict);

        var testing = Stopwatch.StartNew();
        var (truth, detections, keyFrames, unreadable, detected) = Test(detector, test, labels, classOf, cancel);
        string truthFile = Path.Combine(outputDirectory, GroundTruthFile), detectionsFile = Path.Combine(outputDirectory, DetectionsFile), labelMap = Path.Combine(outputDirectory, LabelMapFile);
        AvaCsv.Write(truthFile, truth);
        AvaCsv.Write(detectionsFile, detections);
        AvaLabelMap.Write(labelMap, labels);
        // Scored from the files as written, so the numbers are what `umt eval detection` gives on them.
        var result = AvaFrameEvaluation.Evaluate(AvaLabelMap.Read(labelMap), AvaCsv.ReadAnnotations(truthFile), AvaCsv.ReadDetections(detectionsFile), new HashSet<AvaKeyFrame>());
        return new DetectionOutcome(labels.Count, (int)train.DatasetInfo.Count, schedule.TotalSteps, losses, pretrained, trainSeconds, trainCpuSeconds, testing.Elapsed.TotalSeconds,
            keyFrames, unreadable, detected ? "detected" : "ground truth", result, truthFile, detectionsFile, labelMap, modelPath);
    }

    private (List<AvaBox> Truth, List<AvaBox> Detections, int KeyFrames, int Unreadable, bool Detected) Test(
        ActionDetector detector, RunPlan plan, IReadOnlyList<AvaLabel> labels, Dictionary<int, int> classOf, CancellationToken cancel)
    {
        var truth = new List<AvaBox>();
        var detections = new List<AvaBox>();
        var unreadable = new ConcurrentBag<(long, UnreadableMediaException)>();
        int keyFrames = 0;
        bool detected = false;
        using var noGrad = no_grad();
        using var dataset = plan.CreateDataset(log);
        using var counter = progress.Start("finetune test", plan.DatasetInfo.Count, "key frames");
        foreach (var batch in EvaluationReader.Batches(dataset, settings.BatchSize, plan.Run.DataWorkers, unreadable, counter, cancel))
        {
            using var batchScope = NewDisposeScope(); // the forward's activations are freed per batch
            keyFrames += batch.Samples.Count;
            foreach (var sample in batch.Samples)
            {
                var frame = KeyFrame(sample, plan);
                detected |= frame.Detections is not null;
                truth.AddRange(from actor in frame.GroundTruth
                               from action in actor.ActionIds.Where(classOf.ContainsKey)
                               select Row(frame, actor, action, personId: 0, score: 1.0));
            }
            var actors = Actors(batch.Samples, plan, test: true);
            if (actors.Count == 0)
            {
                continue;
            }
            var logits = detector.Logits(batch.Video(plan), Boxes(actors), null);                                        // [K, C]
            var scores = tensor(actors.Select(a => a.Actor.Score).ToArray()).to(plan.Device).unsqueeze(1);              // [K, 1]
            // The reference's PostProcessor: each action's probability times the box's detection score.
            float[] probabilities = (logits.sigmoid() * scores).cpu().data<float>().ToArray();                          // [K·C]
            for (int k = 0; k < actors.Count; k++)
            {
                var (row, actor) = actors[k];
                var frame = batch.Samples[row].Actors!;
                detections.AddRange(labels.Select((label, c) => Row(frame, actor, label.Id, personId: null, score: probabilities[k * labels.Count + c])));
            }
        }
        return (truth, detections, keyFrames, unreadable.Count, detected);
    }

    /// <summary>The boxes to classify of every clip with its row in the batch: in training the annotated ones; at test time the detected ones where given, else the annotated ones (score 1).</summary>
    private static List<(int Row, ActorBox Actor)> Actors(IReadOnlyList<VideoSample> samples, RunPlan plan, bool test) =>
        [.. samples.SelectMany((sample, row) =>
        {
            var frame = KeyFrame(sample, plan);
            return ((test ? frame.Detections : null) ?? frame.GroundTruth).Select(actor => (row, actor));
        })];

    private static KeyFrameActors KeyFrame(VideoSample sample, RunPlan plan) =>
        sample.Actors ?? throw new ConfigurationException($"The dataset at {plan.Dataset.OptionsPath} gives no actor boxes; detection fine-tuning needs a dataset with key-frame actors (synthetic, ava).");

    /// <summary>RoIAlign's boxes <c>[K, 5]</c> on the host: the clip's row, then the normalised corners.</summary>
    private static Tensor Boxes(List<(int Row, ActorBox Actor)> actors) =>
        tensor(actors.SelectMany(a => new float[] { a.Row, a.Actor.X1, a.Actor.Y1, a.Actor.X2, a.Actor.Y2 }).ToArray(), [actors.Count, 5]); // [K, 5]

    /// <summary>Multi-hot targets <c>[K, C]</c> on the host: 1 for each of a box's actions in the label map.</summary>
    private static Tensor Targets(List<(int Row, ActorBox Actor)> actors, Dictionary<int, int> classOf)
    {
        var targets = new float[actors.Count * classOf.Count];
        for (int k = 0; k < actors.Count; k++)
        {
            foreach (int action in actors[k].Actor.ActionIds.Where(classOf.ContainsKey))
            {
                targets[k * classOf.Count + classOf[action]] = 1f;
            }
        }
        return tensor(targets, [actors.Count, classOf.Count]); // [K, C]
    }

    private static AvaBox Row(KeyFrameActors frame, ActorBox actor, int action, int? personId, double score) =>
        new(new AvaKeyFrame(frame.VideoId, frame.Timestamp), actor.X1, actor.Y1, actor.X2, actor.Y2, action, personId, score, Line: 0);
}
