using Umt.Models.Layers;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Layers;

public sealed class MaskedTokensTests
{
    [Fact]
    public void Visible_and_hidden_tokens_come_out_in_ascending_token_order()
    {
        using var scope = NewDisposeScope();
        var tokens = arange(2 * 5, dtype: ScalarType.Float32).reshape(2, 5, 1);   // token value = row * 5 + index
        var mask = tensor(new[] { true, false, true, false, false, false, true, false, false, true }, new long[] { 2, 5 });

        MaskedTokens.Visible(tokens, mask).reshape(-1).data<float>().ToArray().Should().Equal(1, 3, 4, 5, 7, 8);
        MaskedTokens.Hidden(tokens, mask).reshape(-1).data<float>().ToArray().Should().Equal(0, 2, 6, 9);
    }

    [Fact]
    public void Rows_hiding_different_counts_are_refused()
    {
        using var scope = NewDisposeScope();
        var tokens = zeros(2, 3, 4);
        var mask = tensor(new[] { true, false, false, true, true, false }, new long[] { 2, 3 });

        var select = () => MaskedTokens.Visible(tokens, mask);

        select.Should().Throw<ArgumentException>().WithMessage("*same number*1*2*");
    }

    [Fact]
    public void A_mask_that_is_not_bool_batch_by_tokens_is_refused()
    {
        using var scope = NewDisposeScope();
        var tokens = zeros(2, 3, 4);

        var wrongType = () => MaskedTokens.Visible(tokens, zeros(2, 3));
        var wrongShape = () => MaskedTokens.Visible(tokens, zeros(new long[] { 2, 4 }, dtype: ScalarType.Bool));

        wrongType.Should().Throw<ArgumentException>().WithMessage("*bool [2, 3]*");
        wrongShape.Should().Throw<ArgumentException>().WithMessage("*bool [2, 3]*");
    }
}
