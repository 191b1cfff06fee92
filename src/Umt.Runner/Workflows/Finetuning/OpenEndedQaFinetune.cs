using System.Diagnostics;
using System.Text.Json;
using Serilog;
using TorchSharp;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Distributed;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Engine.Training;
using Umt.Runner.Workflows.Evaluation;
using Umt.Runner.Workflows.Evaluation.Qa;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// <c>umt finetune --task qa --qa-form open-ended</c>, as the reference's open-ended QA fine-tuning
/// (multi_modality/tasks/vqa.py with exp/finetuning/qa_msrvtt, qa_anet): <see cref="VideoQaModel"/>
/// trained end to end on the training questions' answers (the decoder's label-smoothed sequence
/// loss), every token visible, in the shared fine-tuning loop; then every held-out question
/// answered from the answer list (<see cref="OpenEndedEvaluation"/>) and its predictions written in
/// the reference's result form.
/// </summary>
public sealed class OpenEndedQaFinetune(FinetuneSettings settings, ILogger log, ProgressRenderer progress)
{
    public const string PredictionsFile = "predictions.json";

    /// <summary>The reference's result file keys: <c>question_id</c>, <c>answer</c>.</summary>
    private static readonly JsonSerializerOptions ResultForm = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <param name="train">The plan whose dataset holds the training questions' clips.</param>
    /// <param name="test">The plan whose dataset holds the held-out questions' clips.</param>
    /// <param name="pretrained">False: the student and text encoder keep their initialisation (the untrained baseline).</param>
    public OpenEndedQaOutcome Run(RunPlan train, RunPlan test, string checkpoint, QaQuestionSet trainQuestions, QaQuestionSet testQuestions,
        IReadOnlyList<string> answerList, bool pretrained, string outputDirectory, CancellationToken cancel)
    {
        TorchThreads.Configure(train.Run.Threads, processesOnMachine: 1);
        torch.manual_seed(train.Run.Seed);
        using var model = VideoQaModel.Load(train, checkpoint, pretrained, log);
        var schedule = settings.Schedule(train.DatasetInfo.Count, train.Optimizer.BaseBatch);
        log.Information("Open-ended QA fine-tuning of {Model} ({Answers} answers): {Steps} steps of {Batch} questions ({Warmup} warm-up), peak lr {Lr:G3}, layer decay {Decay}",
            pretrained ? checkpoint : "an untrained student", answerList.Count, schedule.TotalSteps, schedule.EffectiveBatch, schedule.WarmupSteps, schedule.PeakLr, settings.LayerDecay);

        var training = new ProcessClock();
        model.Train(true);
        var losses = new FinetuneTraining(settings, log, progress).Run(model.NamedParameters(), train, schedule, outputDirectory, "answer-lm", (host, step) =>
        {
            var items = host.Samples.Select((sample, row) => trainQuestions.Of(host.Indices[row], sample)).ToList();
            var video = new EvaluationBatch(host.Indices, host.Samples).Video(train);                             // [B, 3, T, H, W]
            return model.Loss(video, [.. items.Select(i => i.Question!)], [.. items.Select(i => i.Answers[0])], ClassificationFinetune.DropPath(train, host, step)); // []
        }, cancel);
        model.Train(false);
        (double trainSeconds, double trainCpuSeconds) = (training.WallSeconds, training.CpuSeconds);
        string modelPath = FinetunedModelFile.Write(outputDirectory, train, model.StateDict);

        var testing = Stopwatch.StartNew();
        var result = new OpenEndedEvaluation(model, log, progress).Run(test, testQuestions, answerList, OpenEndedEvaluation.DefaultK, cancel);
        string predictions = Path.Combine(outputDirectory, PredictionsFile);
        DurableFiles.ReplaceText(predictions, JsonSerializer.Serialize(result.Predictions, ResultForm));
        return new OpenEndedQaOutcome((int)train.DatasetInfo.Count, schedule.TotalSteps, losses, pretrained, trainSeconds, trainCpuSeconds, testing.Elapsed.TotalSeconds,
            result with { Predictions = [] }, predictions, modelPath);
    }
}
