using Microsoft.Extensions.Configuration;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Progress;
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
    public static VisionLanguageOutcome<MultipleChoiceResult> Run(RunPlan train, IConfiguration configuration, RunPlan test, QaQuestionSet? questions, TextWriter output, ProgressRenderer progress, CancellationToken cancel) =>
        RetrievalFinetune.TrainThenTest(train, configuration, "qa",
            (model, log) => new MultipleChoiceEvaluation(model, log, progress).Run(test, questions ?? QaData.SyntheticQuestions(test), cancel), test, output, progress, cancel);
}
