using Umt.Abstractions.Masking;
using Umt.Models.Decoders;
using Umt.Models.Layers;
using Umt.Models.Weights;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Decoders;

public sealed class VideoMaeDecoderTests
{
    private const int EncoderWidth = 16, Width = 8, Depth = 2, Heads = 2, Tokens = 8, Outputs = 12;
    private static readonly bool[][] HiddenRows =
    [
        [true, false, true, true, false, true, true, false],
        [false, true, true, true, false, true, false, true],
    ];

    [Fact]
    public void Predicts_every_hidden_token_in_ascending_order_as_a_token_order_reimplementation_does()
    {
        using var scope = NewDisposeScope();
        using var decoder = NewDecoder();
        var visible = randn(2, 3, EncoderWidth);

        var predictions = decoder.call(visible, TokenSelection.FromMask(Mask()));

        // Independent path: lay the tokens out in natural (t, h, w) order instead of visible-then-hidden.
        // Attention is permutation-equivariant, so each token's prediction must be the same.
        var state = decoder.state_dict();
        var positions = SinCosPositionTable.Create(Tokens, Width);
        var projected = nn.functional.linear(visible, state["encoder_to_decoder.weight"]);   // [B, Nv, Dd]
        var rows = new List<Tensor>();
        for (var b = 0; b < HiddenRows.Length; b++)
        {
            var nextVisible = 0;
            rows.Add(stack(Enumerable.Range(0, Tokens)
                .Select(t => (HiddenRows[b][t] ? state["mask_token"][0, 0] : projected[b, nextVisible++]) + positions[t])
                .ToArray()));
        }
        var x = stack(rows.ToArray());                                                        // [B, N, Dd]
        for (var i = 0; i < Depth; i++)
        {
            using var block = new Block(Width, Heads, mlpRatio: 4, dropPathRate: 0);
            StateDictLoader.Load(block, state, $"decoder.blocks.{i}.");
            x = block.call(x, null);
        }
        var normalised = nn.functional.layer_norm(x, [Width], state["decoder.norm.weight"], state["decoder.norm.bias"], 1e-6);
        var all = nn.functional.linear(normalised, state["decoder.head.weight"], state["decoder.head.bias"]);   // [B, N, out]
        var expected = stack(HiddenRows.Select((row, b) =>
            all[b].index_select(0, tensor(Enumerable.Range(0, Tokens).Where(t => row[t]).Select(t => (long)t).ToArray()))).ToArray());

        predictions.shape.Should().Equal(2, 5, Outputs);
        predictions.allclose(expected, rtol: 1e-5, atol: 1e-5).Should().BeTrue();
    }

    [Fact]
    public void Predictions_depend_on_the_mask_token()
    {
        using var scope = NewDisposeScope();
        using var decoder = NewDecoder();
        var visible = randn(2, 3, EncoderWidth);
        var before = decoder.call(visible, TokenSelection.FromMask(Mask()));

        using (no_grad())
        {
            // A random direction: a constant shift of every channel would vanish in the LayerNorms.
            decoder.state_dict()["mask_token"].add_(randn(1, 1, Width));
        }

        decoder.call(visible, TokenSelection.FromMask(Mask())).allclose(before, rtol: 1e-3, atol: 1e-3).Should().BeFalse();
    }

    [Fact]
    public void State_dict_keys_are_the_reference_decoder_keys()
    {
        using var decoder = NewDecoder();

        var expected = new List<string> { "encoder_to_decoder.weight", "mask_token", "decoder.norm.weight", "decoder.norm.bias", "decoder.head.weight", "decoder.head.bias" };
        for (var i = 0; i < Depth; i++)
        {
            expected.AddRange(new[]
            {
                "norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.q_bias", "attn.v_bias", "attn.proj.weight",
                "attn.proj.bias", "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias",
            }.Select(key => $"decoder.blocks.{i}.{key}"));
        }
        decoder.state_dict().Keys.Should().BeEquivalentTo(expected);
        decoder.state_dict()["mask_token"].shape.Should().Equal(1, 1, Width);
    }

    [Fact]
    public void Visible_tokens_that_do_not_match_the_mask_are_refused()
    {
        using var scope = NewDisposeScope();
        using var decoder = NewDecoder();

        decoder.Invoking(d => d.call(randn(2, 4, EncoderWidth), TokenSelection.FromMask(Mask()))).Should().Throw<ArgumentException>().WithMessage("*3 tokens visible*4*");
    }

    [Fact]
    public void A_decoder_built_inside_a_dispose_scope_outlives_it()
    {
        VideoMaeDecoder decoder;
        using (NewDisposeScope())
        {
            decoder = NewDecoder();
        }
        using var scope = NewDisposeScope();
        using (decoder)
        {
            decoder.call(randn(2, 3, EncoderWidth), TokenSelection.FromMask(Mask())).isnan().any().item<bool>().Should().BeFalse();
        }
    }

    private static VideoMaeDecoder NewDecoder() => new(EncoderWidth, Width, Depth, Heads, Tokens, Outputs);

    private static Tensor Mask() => tensor(HiddenRows.SelectMany(row => row).ToArray(), new long[] { 2, Tokens });
}
