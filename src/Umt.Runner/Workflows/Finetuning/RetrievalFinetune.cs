using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Logging;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Engine.Training;
using Umt.Runner.Workflows.Evaluation;
using Umt.Runner.Workflows.Evaluation.Retrieval;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// <c>umt finetune --task retrieval</c>, as the reference's retrieval fine-tuning
/// (multi_modality/tasks/retrieval.py with exp/finetuning/ret_*: VTC + VTM only, no MLM, no
/// alignment to the teacher, no masks): stage-2 training composed from configuration — the
/// stage-2 checkpoint as <c>Umt:Stage2:From</c> (every module it holds loads), objectives
/// <c>vtc</c> and <c>vtm</c> only, no teacher, and <c>random</c> masking at ratio 0, which hides
/// <c>int(0·N) = 0</c> tokens: every token visible — then <c>eval retrieval</c> on the held-out split.
/// </summary>
public static class RetrievalFinetune
{
    /// <summary>The run folder inside the output folder.</summary>
    public const string RunFolder = "run";

    /// <summary>
    /// Configuration over the stage-2 run's own that turns it into the fine-tune. Its rates are
    /// multi_modality's whatever the stage-2 run said: used as given (tasks/retrieval.py builds the
    /// optimizer from <c>config.optimizer.lr</c> unscaled) on utils/scheduler.py's floored cosine.
    /// </summary>
    public static IReadOnlyList<string> Overlays(FinetuneSettings settings, TrainingSchedule schedule, string modelFile, string outputDirectory) =>
        new RunOverrides()
            .Objective("vtc", 1).Objective("vtm", 1)
            .Objective("umt-alignment", 0).Objective("mlm", 0).Objective("mae-pixels", 0)
            .Teacher(RunPlanner.NoTeacher)
            .Masking("random", 0)
            .ImageDataset("none").ImageMasking("random", 0)
            .Stage2From(modelFile)
            .OutputDir(Path.Combine(outputDirectory, RunFolder))
            .Steps(schedule.TotalSteps, schedule.WarmupSteps)
            .BatchSize(settings.BatchSize).AccumulateSteps(1)
            .Checkpoints(every: schedule.TotalSteps, keep: 1)
            .Rates(settings.Lr, settings.MinLr, LrScaling.None, ScheduleShapes.FlooredCosine, warmupLr: 0)
            .AdamW(FinetuneSettings.Betas[0], FinetuneSettings.Betas[1], settings.WeightDecay)
            .Sets;

    /// <summary>Trains the fine-tune (the stage-2 trainer on <paramref name="train"/>) and returns what it did and the model it wrote.</summary>
    /// <param name="train">The stage-2 plan with <see cref="Overlays"/> applied.</param>
    /// <param name="task">The task, for the refusal of a checkpoint without a text encoder.</param>
    public static (TrainingResult Trained, string ModelFile) Train(RunPlan train, IConfiguration configuration, string task, TextWriter output, ProgressRenderer progress, CancellationToken cancel)
    {
        if (train.TextEncoder is null)
        {
            throw new ConfigurationException($"--task {task}: the checkpoint's run has no text encoder (Umt:TextEncoder:Use), so it is not a stage-2 checkpoint; {task} fine-tuning starts from one.");
        }
        TrainingResult trained;
        using (var log = SerilogSetup.Create(configuration, train.OutputDirectory, metricsOnConsole: true))
        {
            trained = new Trainer(train, log).Run(resume: null, progress, stopAfter: null, cancel);
        }
        output.WriteLine(TrainingSummary.Format(trained));
        return (trained, CheckpointReference.Resolve(train.OutputDirectory).ModelFile);
    }

    /// <param name="train">The stage-2 plan with <see cref="Overlays"/> applied.</param>
    /// <param name="test">A plan of the same model whose dataset is the held-out split.</param>
    /// <param name="rerankK">Candidates re-ranked by <c>itm_head</c> (0: contrastive only).</param>
    public static VisionLanguageOutcome<RetrievalResult> Run(RunPlan train, IConfiguration configuration, RunPlan test, int rerankK, TextWriter output, ProgressRenderer progress, CancellationToken cancel) =>
        TrainThenTest(train, configuration, "retrieval", (model, log) => new RetrievalEvaluation(model, log, progress).Run(test, rerankK, cancel), test, output, progress, cancel);

    /// <summary>The fine-tune (<see cref="Train"/>), then the fine-tuned checkpoint read back on <paramref name="test"/>'s model and scored by <paramref name="evaluate"/>.</summary>
    /// <param name="task">The task, for the refusal of a checkpoint without a text encoder.</param>
    public static VisionLanguageOutcome<T> TrainThenTest<T>(RunPlan train, IConfiguration configuration, string task, Func<FrozenVisionLanguage, Serilog.ILogger, T> evaluate,
        RunPlan test, TextWriter output, ProgressRenderer progress, CancellationToken cancel)
    {
        var (trained, modelFile) = Train(train, configuration, task, output, progress, cancel);
        var clock = Stopwatch.StartNew();
        using var testLog = SerilogSetup.Create(configuration);
        using var model = FrozenVisionLanguage.Load(test, modelFile, testLog);
        var result = evaluate(model, testLog);
        return new(trained.EndStep, trained.Losses, trained.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds, result, train.OutputDirectory, modelFile);
    }
}
