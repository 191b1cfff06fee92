using TorchSharp.Modules;
using Umt.Abstractions.Masking;
using Umt.Models.Layers;
using static TorchSharp.torch;

namespace Umt.Models.Decoders;

/// <summary>
/// VideoMAE's pixel decoder: predicts one target vector per hidden token from the encoder's
/// visible tokens, a shared learnable mask token, and fixed sin-cos positions.
/// </summary>
/// <remarks>
/// Mirrors the decoder half of MCG-NJU/VideoMAE modeling_pretrain.py
/// <c>PretrainVisionTransformer.forward</c> plus <c>PretrainVisionTransformerDecoder</c>. Field
/// names are the reference's checkpoint keys (<c>encoder_to_decoder</c>, <c>mask_token</c>,
/// <c>decoder.*</c>); <c>pos_embed</c> adds no key, as in the reference.
/// </remarks>
public sealed class VideoMaeDecoder : nn.Module<Tensor, TokenSelection, Tensor>
{
    private readonly Linear encoder_to_decoder;
    private readonly Parameter mask_token;
    private readonly VideoMaeDecoderTransformer decoder;
    private readonly FixedPositionEmbedding pos_embed;

    /// <summary>Creates a randomly initialised decoder as the reference initialises it.</summary>
    /// <param name="encoderWidth">Width of the encoder tokens it reads, D.</param>
    /// <param name="width">Decoder width Dd.</param>
    /// <param name="depth">Decoder blocks.</param>
    /// <param name="heads">Decoder attention heads.</param>
    /// <param name="tokens">Tokens per clip N (rows of the position table).</param>
    /// <param name="outputsPerToken">Values predicted per hidden token (3·tubelet·p² for pixels).</param>
    public VideoMaeDecoder(int encoderWidth, int width, int depth, int heads, int tokens, int outputsPerToken)
        : base(nameof(VideoMaeDecoder))
    {
        encoder_to_decoder = nn.Linear(encoderWidth, width, hasBias: false);
        mask_token = nn.Parameter(zeros(1, 1, width).DetachFromDisposeScope());   // owned by the module, not the caller's scope
        decoder = new VideoMaeDecoderTransformer(width, depth, heads, outputsPerToken);
        pos_embed = new FixedPositionEmbedding(tokens, width);
        RegisterComponents();

        // PretrainVisionTransformer.__init__ (modeling_pretrain.py) never applies its _init_weights:
        // only the decoder transformer does, so encoder_to_decoder keeps nn.Linear's default init
        // (kaiming_uniform_(a=√5), U(±1/√fan_in)), which TorchSharp's Linear also draws.
        ReferenceInit.Apply(decoder);
        // The file's own trunc_normal_ passes a = −std, b = std to timm's: the mask token is cut at
        // ±0.02, not at timm's default ±2. (TorchSharp's trunc_normal_ fills one constant.)
        TruncatedNormal.Fill(mask_token, std: 0.02, a: -0.02, b: 0.02);
    }

    /// <param name="visible">Encoder output for the visible tokens <c>[B, Nv, D]</c>, ascending token order.</param>
    /// <param name="selection">The step's visible and hidden token positions.</param>
    /// <returns>Predictions for the hidden tokens <c>[B, Nm, outputsPerToken]</c>, ascending token order.</returns>
    public override Tensor forward(Tensor visible, TokenSelection selection)
    {
        var batch = visible.shape[0];
        if (selection.Batch != batch || selection.Tokens != pos_embed.Positions || visible.shape[1] != selection.VisiblePerRow)
        {
            throw new ArgumentException(
                $"The selection leaves {selection.VisiblePerRow} tokens visible (of {selection.Tokens}, in {selection.Batch} rows) but the decoder, reading {pos_embed.Positions} tokens per clip, was given visible tokens [{string.Join(", ", visible.shape)}].",
                nameof(visible));
        }

        // Stage 1: positions of the visible and of the hidden tokens.
        var positions = pos_embed.Rows.expand(batch, -1, -1);              // [B, N, Dd]
        var visiblePositions = selection.Visible(positions);               // [B, Nv, Dd]
        var hiddenPositions = selection.Hidden(positions);                 // [B, Nm, Dd]

        // Stage 2: visible tokens projected to the decoder width, then one mask token per hidden
        // position, appended last so the head reads them as the trailing Nm tokens.
        var projected = encoder_to_decoder.call(visible) + visiblePositions;   // [B, Nv, Dd]
        var maskTokens = mask_token + hiddenPositions;                          // [B, Nm, Dd]
        var full = cat([projected, maskTokens], 1);                            // [B, N, Dd]

        // Stage 3: decode and predict the hidden tokens.
        return decoder.call(full, selection.HiddenPerRow);                     // [B, Nm, outputsPerToken]
    }
}
