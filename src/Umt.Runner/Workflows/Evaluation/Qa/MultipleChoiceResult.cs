namespace Umt.Runner.Workflows.Evaluation.Qa;

/// <summary>Accuracy of one group of questions.</summary>
/// <param name="Chance">Expected accuracy of a uniform guess: the mean of 1 / candidates.</param>
public sealed record QaAccuracy(int Questions, double Accuracy, double Chance);

/// <summary>
/// <c>umt eval qa</c>'s multiple-choice result. <see cref="Acc"/> is the number retrieval_mc.py
/// reports (<c>eval_res = {"acc": round(100 · acc, 2)}</c>); the single-score accuracies show
/// what each half of the score gets alone.
/// </summary>
/// <param name="Overall">The reference's score: 0.7 · P(match) + 0.3 · contrastive softmax.</param>
/// <param name="SimilarityOnly">The contrastive softmax alone.</param>
/// <param name="MatchOnly">The matching head alone (null without <c>itm_head</c>).</param>
/// <param name="ByKind">Overall accuracy per kind of question (synthetic questions; empty for a file's).</param>
/// <param name="Unreadable">Questions whose video could not be read (left out).</param>
public sealed record MultipleChoiceResult(QaAccuracy Overall, double Acc, double SimilarityOnly, double? MatchOnly, IReadOnlyDictionary<string, QaAccuracy> ByKind, int Unreadable);
