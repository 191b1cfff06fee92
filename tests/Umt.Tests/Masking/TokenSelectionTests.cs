using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using static TorchSharp.torch;

namespace Umt.Tests.Masking;

/// <summary>
/// <see cref="TokenSelection"/> against the path it replaced: the reference's boolean index
/// <c>x[~mask].reshape(B, -1, C)</c> (and <c>x[mask]</c>), which read the mask back to the host
/// once per consumer. The selected values and their gradients must be bit-identical, so every loss
/// computed from them is the old path's loss.
/// </summary>
public sealed class TokenSelectionTests
{
    [Fact]
    public void Visible_and_hidden_tokens_come_out_in_ascending_token_order()
    {
        using var scope = NewDisposeScope();
        var tokens = arange(2 * 5, dtype: ScalarType.Float32).reshape(2, 5, 1);   // token value = row * 5 + index
        var mask = tensor(new[] { true, false, true, false, false, false, true, false, false, true }, new long[] { 2, 5 });

        var selection = TokenSelection.FromMask(mask, visiblePerRow: 3);

        selection.Visible(tokens).reshape(-1).data<float>().ToArray().Should().Equal(1, 3, 4, 5, 7, 8);
        selection.Hidden(tokens).reshape(-1).data<float>().ToArray().Should().Equal(0, 2, 6, 9);
        selection.VisibleIndices.data<long>().ToArray().Should().Equal(1, 3, 4, 0, 2, 3);
        (selection.VisiblePerRow, selection.HiddenPerRow).Should().Be((3L, 2L));
    }

    [Theory]
    [InlineData("random", 0.75)]
    [InlineData("tube", 0.75)]
    [InlineData("semantic", 0.8)]
    [InlineData("random", 0.0)]
    public void Every_masking_selects_what_the_boolean_index_selects_with_the_same_gradients(string masking, double ratio)
    {
        using var scope = NewDisposeScope();
        var grid = new TokenGrid(T: 2, H: 7, W: 7);
        var keys = MaskingTestKit.Keys(step: 3, first: 40, count: 4);
        var (factory, _) = MaskingTestKit.Export(masking);
        var options = MaskingTestKit.Options(masking, ratio);
        var traits = factory.Describe(options, MaskingTestKit.Context);
        var attention = traits.NeedsTeacherAttention ? softmax(randn(4 * grid.T, grid.PerSlot, generator: new Generator(5)), 1) : null; // [B·T, P]
        var mask = MaskingTestKit.Strategy(masking, ratio).CreateMask(new MaskingInput(grid, keys, CPU, attention)); // [B, N]
        var selection = TokenSelection.FromMask(mask, traits.VisiblePerClip(grid));
        selection.Verify(masking);

        // Leading dimension as the teacher's K aligned layers: [K, B, N, C].
        var tokens = randn([3, 4, grid.Count, 6], generator: new Generator(11)).requires_grad_();
        var visible = selection.Visible(tokens);                                                            // [K, B, Nv, C]
        var hidden = selection.Hidden(tokens);                                                              // [K, B, Nm, C]
        var oldVisible = tokens.index(TensorIndex.Colon, TensorIndex.Tensor(mask.logical_not())).reshape(visible.shape); // [K, B, Nv, C]
        var oldHidden = tokens.index(TensorIndex.Colon, TensorIndex.Tensor(mask)).reshape(hidden.shape);              // [K, B, Nm, C]

        visible.eq(oldVisible).all().item<bool>().Should().BeTrue("the gather picks the boolean index's tokens in its order");
        hidden.eq(oldHidden).all().item<bool>().Should().BeTrue();
        var weights = randn(visible.shape, generator: new Generator(12));
        var newGradient = autograd.grad([(visible * weights).sum() + hidden.square().sum()], [tokens])[0];
        var oldGradient = autograd.grad([(oldVisible * weights).sum() + oldHidden.square().sum()], [tokens])[0];
        newGradient.eq(oldGradient).all().item<bool>().Should().BeTrue("scatter-add into distinct positions is exact, as index_put is");
    }

    [Fact]
    public void A_masking_that_breaks_its_visible_count_is_named_by_the_check()
    {
        using var scope = NewDisposeScope();
        var mask = tensor(new[] { true, false, false, true, true, false }, new long[] { 2, 3 });   // rows keep 2 and 1

        var verify = () => TokenSelection.FromMask(mask, visiblePerRow: 2).Verify("Masking 'odd'");
        var counted = () => TokenSelection.FromMask(mask);

        verify.Should().Throw<InvalidOperationException>().WithMessage("Masking 'odd' promised 2 visible tokens*between 1 and 2*");
        counted.Should().Throw<ArgumentException>().WithMessage("*same number*between 1 and 2*");
    }

    [Fact]
    public void A_mask_or_tokens_of_the_wrong_shape_are_refused()
    {
        using var scope = NewDisposeScope();
        var selection = TokenSelection.FromMask(zeros(new long[] { 2, 3 }, dtype: ScalarType.Bool), visiblePerRow: 3);

        var wrongType = () => TokenSelection.FromMask(zeros(2, 3), 3);
        var tooMany = () => TokenSelection.FromMask(zeros(new long[] { 2, 3 }, dtype: ScalarType.Bool), 4);
        var wrongTokens = () => selection.Visible(zeros(2, 4, 5));

        wrongType.Should().Throw<ArgumentException>().WithMessage("*bool [B, N]*Float32 [2, 3]*");
        tooMany.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*4 visible tokens*3 tokens*");
        wrongTokens.Should().Throw<ArgumentException>().WithMessage("*[..., 2, 3, C]*[2, 4, 5]*");
    }
}
