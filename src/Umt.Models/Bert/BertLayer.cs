using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>
/// One post-norm BERT layer (xbert.py <c>BertLayer</c>): self-attention, then — in layers at or
/// after the fusion layer, when vision tokens are given — cross-attention to them, then the
/// feed-forward (<c>intermediate.dense</c>, exact GELU, <c>output</c>). Field names are HF's keys
/// under <c>bert.encoder.layer.{i}.</c>.
/// </summary>
internal sealed class BertLayer : nn.Module
{
    private readonly BertAttention attention;
    private readonly BertAttention? crossattention;
    private readonly BertIntermediate intermediate;
    private readonly BertOutput output;

    public BertLayer(BertConfig config, int index) : base($"{index}")
    {
        attention = new BertAttention(config, config.Hidden, nameof(attention));
        // xbert: has_cross_attention = layer_num >= config.fusion_layer; keys/values from encoder_width.
        crossattention = index >= config.FusionLayer ? new BertAttention(config, config.EncoderWidth, nameof(crossattention)) : null;
        intermediate = new BertIntermediate(config);
        output = new BertOutput(config.Intermediate, config);
        RegisterComponents();
    }

    /// <param name="x">Text tokens <c>[B, L, H]</c>.</param>
    /// <param name="textMask">Additive self-attention mask <c>[B, 1, 1, L]</c>.</param>
    /// <param name="vision">Vision tokens <c>[B, N, EncoderWidth]</c> to cross-attend to, or null to skip cross-attention.</param>
    /// <param name="visionMask">Additive cross-attention mask <c>[B, 1, 1, N]</c>, or null (attend to all).</param>
    /// <returns><c>[B, L, H]</c>.</returns>
    public Tensor Forward(Tensor x, Tensor textMask, Tensor? vision, Tensor? visionMask)
    {
        x = attention.Forward(x, x, textMask);                                  // [B, L, H]
        if (vision is not null)
        {
            var cross = crossattention ?? throw new InvalidOperationException("This layer precedes the fusion layer and has no cross-attention.");
            x = cross.Forward(x, vision, visionMask);                           // [B, L, H]
        }
        return output.Forward(intermediate.Forward(x), x);                     // [B, L, H]
    }
}
