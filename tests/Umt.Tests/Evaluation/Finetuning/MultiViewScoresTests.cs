using Umt.Runner.Workflows.Finetuning;
using static TorchSharp.torch;

namespace Umt.Tests.Evaluation.Finetuning;

/// <summary>The multi-view test's merge (engine_for_finetuning.py <c>merge</c>) on hand-built views.</summary>
public sealed class MultiViewScoresTests
{
    /// <summary>Logits whose softmax is exactly <paramref name="probabilities"/> (each row sums to 1).</summary>
    private static Tensor LogitsOf(double[,] probabilities) => tensor(probabilities).log();

    [Fact]
    public void Views_are_averaged_as_probabilities_and_a_clip_missing_from_a_view_uses_the_others()
    {
        using var scope = NewDisposeScope();
        using var scores = new MultiViewScores(samples: 3, classes: 3);
        // Clip 0: view 0 says class 1, view 1 says class 0 strongly. Clip 1: only view 0 read it. Clip 2: no view read it.
        scores.Add(0, [0, 1], LogitsOf(new[,] { { 0.25, 0.5, 0.25 }, { 0.1, 0.1, 0.8 } }));
        scores.Add(1, [0], LogitsOf(new[,] { { 0.9, 0.05, 0.05 } }));
        scores.Add(1, [0], LogitsOf(new[,] { { 0.0001, 0.0001, 0.9998 } })); // a view read twice counts once (merge's dict_pos)

        var (indices, mean) = scores.Mean();

        indices.Should().Equal(0, 1);
        // Clip 0: ([0.25, 0.5, 0.25] + [0.9, 0.05, 0.05]) / 2 = [0.575, 0.275, 0.15]. Averaging logits instead
        // would give softmax of ½(log p + log q) ∝ √(p·q) = [0.474, 0.158, 0.112] / 0.744 = [0.638, 0.213, 0.150].
        double[] clip0 = [.. mean[0].data<double>()];
        clip0.Should().Equal([0.575, 0.275, 0.15], (a, b) => Math.Abs(a - b) < 1e-9);
        double[] clip1 = [.. mean[1].data<double>()];
        clip1.Should().Equal([0.1, 0.1, 0.8], (a, b) => Math.Abs(a - b) < 1e-9);
    }
}
