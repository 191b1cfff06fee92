using Umt.Abstractions.Datasets;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.Randomness;
using Umt.Abstractions.TextEncoders;
using Umt.Models.VisionLanguage;
using static TorchSharp.torch;

namespace Umt.Runner.Training;

/// <summary>
/// The stage-2 part of the step that every caption objective shares, in the order of the
/// reference's <c>UMT.forward</c>: clamp the temperature, <c>encode_text</c> ("text" mode, <c>[CLS]</c>
/// pooled), <c>vision_proj(pool_norm(mean of the visible tokens))</c> and <c>text_proj</c>.
/// </summary>
public static class VisionLanguageStep
{
    /// <param name="visionTokens">The student's last block on the visible tokens after its norm, <c>[B, Nv, D]</c>.</param>
    public static VisionLanguageContext Encode(ITextEncoder encoder, VisionLanguageHeads heads, VideoBatch batch, Tensor visionTokens, Device device)
    {
        var captions = batch.Samples.Select((s, i) => s.Caption
            ?? throw new InvalidOperationException($"Sample {batch.Keys.Indices[i]} has no caption; the caption objectives need one for every sample.")).ToList();
        var text = encoder.Tokenizer.Encode(captions, device);            // [B, L] ids and mask
        var textHidden = encoder.EncodeText(text);                         // [B, L, W]
        return new VisionLanguageContext
        {
            TextEncoder = encoder,
            Text = text,
            TextHidden = textHidden,
            VisionTokens = visionTokens,                                   // [B, Nv, D]
            VisionEmbedding = heads.EmbedVision(visionTokens),             // [B, 1, E]
            TextEmbedding = heads.EmbedText(textHidden),                   // [B, E]
            Temperature = VisionLanguageHeads.ClampTemperature(heads.Temperature), // []
            CaptionIds = tensor(captions.Select(CaptionId).ToArray(), device: device), // [B]
        };
    }

    /// <summary>
    /// One id per distinct caption text: FNV-1a (64-bit) of its UTF-8 bytes. A content hash rather
    /// than a per-batch numbering, so equal captions get equal ids on every process and in every
    /// batch (VTC's gathered soft targets compare ids across ranks); a collision between two
    /// different captions (odds ~n²/2⁶⁵) would only make them count as positives of each other.
    /// </summary>
    public static long CaptionId(string caption) => unchecked((long)KeyMix.Hash(caption));
}
