namespace Umt.Runner.Workflows.Evaluation.Qa;

/// <summary>One question's predicted answer, in the reference's result file form (<c>{"question_id", "answer"}</c>).</summary>
public sealed record OpenEndedPrediction(string QuestionId, string Answer);

/// <summary>
/// <c>umt eval qa --form open-ended</c>'s result. <see cref="Acc"/> is the number the reference
/// reports for MSRVTT-QA / ActivityNet-QA (tasks/vqa_utils.py <c>eval_simple_qa_acc</c>: exact match
/// of the predicted answer, <c>round(100 · acc, 2)</c>).
/// </summary>
/// <param name="Overall">Accuracy over the readable questions; chance is a uniform guess over the answer list.</param>
/// <param name="Answers">Answers in the list the decoder ranks.</param>
/// <param name="RankedPerQuestion">Answers re-scored per question (the reference's <c>k_test</c>, at most the list).</param>
/// <param name="ByKind">Accuracy per kind of question (synthetic questions; empty for a file's).</param>
/// <param name="Unreadable">Questions whose video could not be read (left out).</param>
/// <param name="Predictions">Every readable question's predicted answer.</param>
public sealed record OpenEndedResult(QaAccuracy Overall, double Acc, int Answers, int RankedPerQuestion, IReadOnlyDictionary<string, QaAccuracy> ByKind, int Unreadable,
    IReadOnlyList<OpenEndedPrediction> Predictions);
