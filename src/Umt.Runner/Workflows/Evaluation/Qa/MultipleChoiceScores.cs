using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Evaluation.Qa;

/// <summary>
/// How retrieval_mc.py (<c>main_with_ensemble</c>) scores the candidates of one question: the
/// matching head's probability that (video, candidate) match, weighted 0.7, plus the softmax over
/// the candidates of the contrastive logits (mean per-frame cosine / temperature), weighted 0.3;
/// the answer is the best-scored candidate.
/// </summary>
public static class MultipleChoiceScores
{
    /// <summary>Weight of the matching head's probability.</summary>
    public const double MatchWeight = 0.7;

    /// <summary>Weight of the candidates' contrastive softmax.</summary>
    public const double SimilarityWeight = 0.3;

    /// <param name="matchProbability">P(match) of each candidate <c>[k]</c>, or null when the checkpoint has no matching head (then the softmax alone decides).</param>
    /// <param name="similarityLogits">Contrastive logits of each candidate <c>[k]</c>.</param>
    /// <returns><c>[k]</c>.</returns>
    public static Tensor Combine(Tensor? matchProbability, Tensor similarityLogits)
    {
        var similarity = nn.functional.softmax(similarityLogits, 0);            // [k]
        return matchProbability is null ? similarity : matchProbability * MatchWeight + similarity * SimilarityWeight; // [k]
    }

    /// <summary>Index of the best-scored candidate (the first among equals, as <c>max(1)[1]</c>).</summary>
    public static int Best(Tensor scores)
    {
        var values = scores.to(ScalarType.Float64).cpu().data<double>().ToArray();
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }
        return best;
    }
}
