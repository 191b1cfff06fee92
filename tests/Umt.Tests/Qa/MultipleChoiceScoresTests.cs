using Umt.Runner.Workflows.Evaluation.Qa;
using static TorchSharp.torch;

namespace Umt.Tests.Qa;

/// <summary>retrieval_mc.py's candidate score on hand-built cases, against the formula computed in float64 by hand.</summary>
public sealed class MultipleChoiceScoresTests
{
    [Fact]
    public void The_matching_head_outweighs_a_contrary_similarity_as_0_7_to_0_3()
    {
        // The contrastive logits prefer candidate 0; the matching head is sure of candidate 1.
        double[] match = [0.2, 0.9, 0.5], logits = [3.0, 0.0, 1.0];
        double total = logits.Sum(Math.Exp);
        double[] expected = [.. match.Select((p, i) => 0.7 * p + 0.3 * Math.Exp(logits[i]) / total)];

        using var scores = MultipleChoiceScores.Combine(tensor(match), tensor(logits));

        scores.data<double>().ToArray().Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-12);
        expected[0].Should().BeApproximately(0.3931, 1e-4, "hand arithmetic: 0.14 + 0.3 · e³/(e³ + 1 + e)");
        MultipleChoiceScores.Best(scores).Should().Be(1);
    }

    [Fact]
    public void A_near_tie_of_the_head_is_decided_by_the_similarity_and_without_a_head_the_similarity_alone_decides()
    {
        using var tie = MultipleChoiceScores.Combine(tensor(new[] { 0.50, 0.52, 0.10 }), tensor(new[] { 4.0, 0.0, 0.0 }));
        MultipleChoiceScores.Best(tie).Should().Be(0, "0.35 + 0.3 · 0.965 beats 0.364 + 0.3 · 0.018");

        using var alone = MultipleChoiceScores.Combine(null, tensor(new[] { 0.1, 2.5, -1.0, 2.4 }));
        MultipleChoiceScores.Best(alone).Should().Be(1);
        alone.sum().item<double>().Should().BeApproximately(1.0, 1e-12, "a softmax over the candidates");

        using var equal = tensor(new[] { 0.25, 0.75, 0.75 });
        MultipleChoiceScores.Best(equal).Should().Be(1, "the first of equal scores, as max(1)[1]");
    }
}
