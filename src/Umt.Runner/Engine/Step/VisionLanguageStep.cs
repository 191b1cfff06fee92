using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.Randomness;
using Umt.Abstractions.TextEncoders;
using Umt.Models.VisionLanguage;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Step;

/// <summary>
/// The stage-2 part of the step that every caption objective shares, in the order of the
/// reference's <c>UMT.forward</c>: clamp the temperature, <c>encode_text</c> ("text" mode, <c>[CLS]</c>
/// pooled), <c>vision_proj(pool_norm(·))</c> of the student's tokens and <c>text_proj</c>.
/// </summary>
public static class VisionLanguageStep
{
    /// <param name="visionTokens">The student's last block on the visible tokens after its norm, <c>[B, Nv, D]</c>.</param>
    /// <param name="grid">The batch's token grid (an image batch has one frame).</param>
    public static VisionLanguageContext Encode(ITextEncoder encoder, VisionLanguageHeads heads, VideoBatch batch, Tensor visionTokens, TokenGrid grid, Device device)
    {
        var captions = batch.Samples.Select((s, i) => s.Caption
            ?? throw new InvalidOperationException($"Sample {batch.Keys.Indices[i]} has no caption; the caption objectives need one for every sample.")).ToList();
        var hostText = encoder.Tokenizer.Encode(captions, CPU);           // [B, L] ids and mask on the host
        var text = new TokenizedText(hostText.InputIds.to(device), hostText.AttentionMask.to(device)); // [B, L], [B, L]
        var textHidden = encoder.EncodeText(text);                         // [B, L, W]
        long[] captionIds = [.. captions.Select(CaptionId)];
        return new VisionLanguageContext
        {
            TextEncoder = encoder,
            Text = text,
            TextHidden = textHidden,
            VisionTokens = visionTokens,                                   // [B, Nv, D]
            VisionEmbedding = EmbedVision(heads, visionTokens, grid),      // [B, T, E] or [B, 1, E]
            TextEmbedding = heads.EmbedText(textHidden),                   // [B, E]
            Temperature = VisionLanguageHeads.ClampTemperature(heads.Temperature), // []
            CaptionIds = tensor(captionIds, device: device),               // [B]
            HostCaptionIds = captionIds,
            HostInputIds = hostText.InputIds,                              // [B, L] on the CPU
        };
    }

    /// <summary>
    /// The clip embeddings the caption objectives score. The reference's <c>encode_vision</c>
    /// (multi_modality/models/umt.py) pools per frame (<c>keep_temporal</c>, set in every published
    /// recipe) whenever it has no mask, i.e. without a teacher, as retrieval fine-tuning runs; with
    /// a mask it pools all visible tokens into one vector, since the frames of a semantic or random
    /// mask keep unequal token counts. Here the test is the mask itself: when it hides nothing
    /// (Nv = N, read from the shape, no device sync) each frame is pooled, as evaluation does
    /// (<see cref="VisionLanguageHeads.EmbedVisionPerFrame"/>), so training and retrieval score alike.
    /// </summary>
    /// <returns><c>[B, T, E]</c> when every token is visible, else <c>[B, 1, E]</c>.</returns>
    private static Tensor EmbedVision(VisionLanguageHeads heads, Tensor visionTokens, TokenGrid grid) =>
        visionTokens.shape[1] == grid.Count ? heads.EmbedVisionPerFrame(visionTokens, grid.T) : heads.EmbedVision(visionTokens);

    /// <summary>
    /// One id per distinct caption text: FNV-1a (64-bit) of its UTF-8 bytes. A content hash rather
    /// than a per-batch numbering, so equal captions get equal ids on every process and in every
    /// batch (VTC's gathered soft targets compare ids across ranks); a collision between two
    /// different captions (odds ~n²/2⁶⁵) would only make them count as positives of each other.
    /// </summary>
    public static long CaptionId(string caption) => unchecked((long)KeyMix.Hash(caption));
}
