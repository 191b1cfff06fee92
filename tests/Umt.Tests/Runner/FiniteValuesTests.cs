using TorchSharp.Modules;
using Umt.Runner.Engine.Step;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary>The finiteness checks that keep diverged updates out of the model and the checkpoints.</summary>
public sealed class FiniteValuesTests
{
    [Fact]
    public void The_gradient_norm_is_the_norm_of_all_gradients_as_one_vector()
    {
        using var scope = NewDisposeScope();
        var a = new Parameter(zeros(2)) { grad = tensor(new[] { 3f, 4f }) };
        var b = new Parameter(zeros(1, 1)) { grad = tensor(new[] { 12f }).view(1, 1) };
        var unused = new Parameter(zeros(3)); // no gradient: left out, as clip_grad_norm_ does

        FiniteValues.GradientNorm([a, unused, b]).item<float>().Should().Be(13f); // √(9 + 16 + 144)
    }

    [Fact]
    public void A_gradient_with_an_infinity_or_an_overflowing_square_gives_a_non_finite_norm_and_is_named()
    {
        using var scope = NewDisposeScope();
        var finite = new Parameter(zeros(2)) { grad = tensor(new[] { 1f, 2f }) };
        var infinite = new Parameter(zeros(2)) { grad = tensor(new[] { 1f, float.PositiveInfinity }) };
        var huge = new Parameter(zeros(1)) { grad = tensor(new[] { 3e19f }) }; // finite, but its square is not in fp32

        float.IsFinite(FiniteValues.GradientNorm([finite, infinite]).item<float>()).Should().BeFalse();
        float.IsFinite(FiniteValues.GradientNorm([finite, huge]).item<float>()).Should().BeFalse();
        FiniteValues.NonFiniteGradients(["finite", "infinite", "huge"], [finite, infinite, huge]).Should().Equal("infinite");
    }

    [Fact]
    public void Non_finite_floating_tensors_are_named_and_integer_tensors_are_ignored()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["weight"] = ones(4, 4),
            ["bias"] = tensor(new[] { 0f, float.NaN }),
            ["exp_avg_sq"] = tensor(new[] { float.NegativeInfinity }),
            ["step"] = tensor(new[] { 3L }),
            ["empty"] = zeros(0),
        };

        FiniteValues.NonFinite(tensors).Should().BeEquivalentTo("bias", "exp_avg_sq");
        FiniteValues.NonFinite(new Dictionary<string, Tensor> { ["weight"] = ones(2), ["step"] = tensor(new[] { 1L }) }).Should().BeEmpty();
        FluentActions.Invoking(() => FiniteValues.Require(tensors, "the fine-tuned model")).Should().Throw<TrainingDivergedException>()
            .WithMessage("Not writing the fine-tuned model: 2 tensors hold NaN or ±∞ (*bias*)*");
    }
}
