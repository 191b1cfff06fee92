using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Logging;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.Evaluation;
using Umt.Runner.Workflows.Evaluation.Qa;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// <c>umt finetune --task qa</c>, as the reference's MSRVTT-MC fine-tuning (tasks/retrieval_mc.py
/// with exp/finetuning/mc_msrvtt): the retrieval fine-tune on the training split's captions
/// (VTC + VTM, every token visible: <see cref="RetrievalFinetune"/>), then the multiple-choice
/// test on the held-out questions.
/// </summary>
public static class QaFinetune
{
    /// <param name="train">The stage-2 plan with <see cref="RetrievalFinetune.Overlays"/> applied.</param>
    /// <param name="test">A plan of the same model whose dataset holds the questions' clips.</param>
    /// <param name="questions">The held-out questions; null: the synthetic test split's generated ones.</param>
    public static VisionLanguageOutcome<MultipleChoiceResult> Run(RunPlan train, IConfiguration configuration, RunPlan test, QaQuestionSet? questions, TextWriter output, ProgressRenderer progress, CancellationToken cancel)
    {
        var (trained, modelFile) = RetrievalFinetune.Train(train, configuration, "qa", output, progress, cancel);
        var clock = Stopwatch.StartNew();
        using var testLog = SerilogSetup.Create(configuration);
        using var model = FrozenVisionLanguage.Load(test, modelFile, testLog);
        var result = new MultipleChoiceEvaluation(model, testLog, progress).Run(test, questions ?? QaData.SyntheticQuestions(test), cancel);
        return new(trained.EndStep, trained.Losses, trained.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds, result, train.OutputDirectory, modelFile);
    }
}
