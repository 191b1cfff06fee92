using Umt.Models.Bert;
using static TorchSharp.torch;

namespace Umt.Models.VisionLanguage;

/// <summary>
/// Open-ended answers ranked from a fixed list, as the reference's <c>UMT_QA.rank_answer</c>
/// (multi_modality/models/umt_qa.py): the decoder's probability of each answer's first token after
/// <c>[CLS]</c> picks the k most likely answers; each of those is scored by that probability's log
/// minus its label-smoothed sequence loss (which counts the first token again, as the reference's
/// does); the softmax of those scores over the k ranks them.
/// </summary>
public static class AnswerRanking
{
    /// <param name="decoder">The answer decoder.</param>
    /// <param name="questionStates">The questions' fused states <c>[Q, Lq, H]</c>.</param>
    /// <param name="questionMask"><c>[Q, Lq]</c>.</param>
    /// <param name="answerIds">Every answer of the list <c>[A, La]</c>, <c>[CLS] answer [SEP]</c> then padding.</param>
    /// <param name="answerMask"><c>[A, La]</c>.</param>
    /// <param name="k">Answers re-scored per question (the reference's <c>k_test</c>, 128); at most A are.</param>
    /// <param name="padId">The padding token.</param>
    /// <param name="labelSmoothing">The decoder loss's smoothing (the reference's 0.1).</param>
    /// <returns>Answer indices <c>[Q, k]</c>, best first, and their re-ranked probabilities <c>[Q, k]</c>.</returns>
    public static (Tensor Answers, Tensor Probabilities) Rank(BertLmHeadModel decoder, Tensor questionStates, Tensor questionMask,
        Tensor answerIds, Tensor answerMask, int k, long padId, double labelSmoothing)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(questionStates);
        ArgumentNullException.ThrowIfNull(answerIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (answerIds.shape[1] < 2)
        {
            throw new ArgumentException("Answers must hold [CLS] and at least one more token.", nameof(answerIds));
        }
        long questions = questionStates.shape[0];
        int top = (int)Math.Min(k, answerIds.shape[0]);

        // Stage 1: the first answer token's probability after [CLS] (the reference's start_ids: answer_ids[0, 0]).
        var start = answerIds.narrow(0, 0, 1).narrow(1, 0, 1).expand(questions, 1);                       // [Q, 1]
        var first = decoder.Logits(start, ones_like(start), questionStates, questionMask).select(1, 0);     // [Q, V]
        var firstProbabilities = nn.functional.softmax(first, 1).index_select(1, answerIds.select(1, 1));   // [Q, A]
        var (topProbabilities, topAnswers) = firstProbabilities.topk(top, 1);                              // [Q, k], [Q, k]

        // Stage 2: each of the k answers' whole sequence, the question tiled once per answer.
        var flat = topAnswers.reshape(-1);                                                                  // [Q·k]
        var ids = answerIds.index_select(0, flat);                                                          // [Q·k, La]
        var logits = decoder.Logits(ids, answerMask.index_select(0, flat),
            questionStates.repeat_interleave(top, 0), questionMask.repeat_interleave(top, 0));              // [Q·k, La, V]
        var loss = BertLmHeadModel.SequenceLoss(logits, ids, padId, labelSmoothing).view(questions, top);   // [Q, k]

        // Stage 3: the chain rule's log-likelihood, re-ranked.
        var scores = topProbabilities.log() - loss;                                                         // [Q, k]
        var (probabilities, order) = nn.functional.softmax(scores, 1).topk(top, 1);                        // [Q, k]
        return (topAnswers.gather(1, order), probabilities);                                                // [Q, k], [Q, k]
    }
}
