using TorchSharp.Modules;
using Umt.Models.Layers;
using static TorchSharp.torch;

namespace Umt.Models.Decoders;

/// <summary>
/// The transformer inside the VideoMAE decoder: blocks over all tokens, then norm and head on the
/// last <c>predicted</c> tokens only (the mask tokens, which the caller puts last).
/// </summary>
/// <remarks>
/// Mirrors MCG-NJU/VideoMAE modeling_pretrain.py <c>PretrainVisionTransformerDecoder</c>
/// (<c>head(norm(x[:, -return_token_num:]))</c>), without drop-path. Field names are the
/// reference's checkpoint keys under <c>decoder.</c>.
/// </remarks>
public sealed class VideoMaeDecoderTransformer : nn.Module<Tensor, long, Tensor>
{
    private readonly ModuleList<Block> blocks;
    private readonly LayerNorm norm;
    private readonly Linear head;

    /// <summary>Creates <paramref name="depth"/> blocks of <paramref name="width"/> and a head to <paramref name="outputsPerToken"/> values.</summary>
    public VideoMaeDecoderTransformer(long width, int depth, long heads, long outputsPerToken) : base(nameof(VideoMaeDecoderTransformer))
    {
        blocks = nn.ModuleList(Enumerable.Range(0, depth).Select(_ => new Block(width, heads, mlpRatio: 4, dropPathRate: 0)).ToArray());
        norm = nn.LayerNorm(width, eps: 1e-6);
        head = nn.Linear(width, outputsPerToken);
        RegisterComponents();
    }

    /// <param name="x">Decoder tokens <c>[B, N, Dd]</c>, the tokens to predict last.</param>
    /// <param name="predicted">How many trailing tokens to predict, Nm.</param>
    /// <returns>Predictions <c>[B, Nm, outputs]</c>.</returns>
    public override Tensor forward(Tensor x, long predicted)
    {
        foreach (var block in blocks)
        {
            x = block.call(x, null);                                    // [B, N, Dd]
        }
        var trailing = x.narrow(1, x.shape[1] - predicted, predicted);  // [B, Nm, Dd]
        return head.call(norm.call(trailing));                          // [B, Nm, outputs]
    }
}
