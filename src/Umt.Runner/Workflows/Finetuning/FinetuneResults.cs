using Umt.Runner.Workflows.Evaluation;
using Umt.Runner.Workflows.Evaluation.Detection;
using Umt.Runner.Workflows.Evaluation.Qa;
using Umt.Runner.Workflows.Evaluation.Retrieval;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>The multi-view test of a fine-tuned classifier on the held-out split.</summary>
/// <param name="Views">Views per clip (test clips × test crops).</param>
/// <param name="Clips">Held-out clips read by at least one view.</param>
/// <param name="MultiView">Top-1/top-5 of the mean softmax over the views (the reported number).</param>
/// <param name="SingleView">Top-1/top-5 of the first view alone, for comparison.</param>
/// <param name="Unreadable">View reads that failed (a clip failing in every view is left out).</param>
public sealed record MultiViewAccuracy(int Views, int Clips, ProbeAccuracy MultiView, ProbeAccuracy SingleView, int Unreadable);

/// <summary>What a classification fine-tune did and scored.</summary>
/// <param name="TrainCpuSeconds">Process CPU seconds (user + sys) of the training, beside its wall <paramref name="TrainSeconds"/>.</param>
public sealed record ClassificationOutcome(string LabelSet, int Classes, int TrainClips, long Steps, IReadOnlyList<double> Losses,
    double TrainSeconds, double TrainCpuSeconds, double TestSeconds, MultiViewAccuracy Test, string ModelFile);

/// <summary>What a fine-tune of a stage-2 checkpoint (retrieval, multiple-choice QA) did and scored.</summary>
/// <param name="Test">The held-out scores of the task.</param>
/// <param name="RunDirectory">The stage-2 run folder the fine-tune trained into (its checkpoints).</param>
/// <param name="ModelFile">The fine-tuned checkpoint's <c>model.safetensors</c>.</param>
public sealed record VisionLanguageOutcome<TTest>(long Steps, IReadOnlyList<double> Losses, double TrainSeconds, double TestSeconds, TTest Test, string RunDirectory, string ModelFile);

/// <summary>What a detection fine-tune did and scored.</summary>
/// <param name="Classes">Actions of the label map (the head's outputs).</param>
/// <param name="TrainKeyFrames">Key frames (clips) of the training split.</param>
/// <param name="Pretrained">False where the student kept its random initialisation (the untrained baseline).</param>
/// <param name="TestKeyFrames">Held-out key frames read.</param>
/// <param name="Unreadable">Held-out key frames whose clip could not be read (their ground truth is missing from the evaluation too).</param>
/// <param name="Boxes">What the held-out boxes were: <c>detected</c> (a detections file's) or <c>ground truth</c> (score 1).</param>
/// <param name="Test">The AVA frame-level evaluation of <paramref name="DetectionsFile"/> against <paramref name="GroundTruthFile"/>.</param>
public sealed record DetectionOutcome(int Classes, int TrainKeyFrames, long Steps, IReadOnlyList<double> Losses, bool Pretrained,
    double TrainSeconds, double TrainCpuSeconds, double TestSeconds, int TestKeyFrames, int Unreadable, string Boxes, DetectionResult Test,
    string GroundTruthFile, string DetectionsFile, string LabelMapFile, string ModelFile);

/// <summary>What an open-ended QA fine-tune did and scored.</summary>
/// <param name="TrainQuestions">Questions (clips) of the training split.</param>
/// <param name="Pretrained">False where the student and text encoder kept their initialisation (the untrained baseline).</param>
/// <param name="Test">The held-out accuracy (its predictions are in <paramref name="PredictionsFile"/>).</param>
public sealed record OpenEndedQaOutcome(int TrainQuestions, long Steps, IReadOnlyList<double> Losses, bool Pretrained,
    double TrainSeconds, double TrainCpuSeconds, double TestSeconds, OpenEndedResult Test, string PredictionsFile, string ModelFile);

/// <summary><c>results.json</c> of <c>umt finetune</c>: the task, its inputs and settings, and one of the outcomes.</summary>
public sealed record FinetuneReport(string Task, string Checkpoint, string Dataset, FinetuneSettings Settings, ClassificationOutcome? Classification,
    VisionLanguageOutcome<RetrievalResult>? Retrieval, VisionLanguageOutcome<MultipleChoiceResult>? Qa = null, DetectionOutcome? Detection = null, OpenEndedQaOutcome? OpenEndedQa = null);
