using Umt.Abstractions.TextEncoders;
using static TorchSharp.torch;

namespace Umt.Abstractions.Objectives;

/// <summary>
/// What the stage-2 objectives share in one step, computed once by the runner as the reference's
/// <c>UMT.forward</c> does before any loss (multi_modality/models/umt.py: <c>encode_vision</c>,
/// <c>encode_text</c>, <c>vision_proj</c>, <c>text_proj</c>, the clamped <c>temp</c>): VTC scores
/// the projections, VTM samples its hard negatives from the same similarities and fuses the same
/// tokens, MLM fuses the same visible tokens. All tensors are on the run's device and part of the
/// step's graph.
/// </summary>
public sealed class VisionLanguageContext
{
    /// <summary>The run's text encoder (its fusion layers and MLM head).</summary>
    public required ITextEncoder TextEncoder { get; init; }

    /// <summary>The captions of the batch, tokenized: ids and attention mask <c>[B, L]</c>.</summary>
    public required TokenizedText Text { get; init; }

    /// <summary>"text" mode output <c>[B, L, W]</c> (layers [0, FusionLayer)); row i's <c>[CLS]</c> feeds <see cref="TextEmbedding"/>.</summary>
    public required Tensor TextHidden { get; init; }

    /// <summary>
    /// The student's last block on the visible tokens after its final norm, <c>[B, Nv, D]</c>
    /// (the reference's <c>vision_embeds</c>): the keys and values of the fusion layers' cross-attention.
    /// </summary>
    public required Tensor VisionTokens { get; init; }

    /// <summary>
    /// <c>vision_proj(pool_norm(·))</c>, not normalised (the losses normalise): <c>[B, T, E]</c>, each
    /// frame's tokens averaged, when the mask hides nothing (the reference's <c>keep_temporal</c>
    /// without a mask); otherwise <c>[B, 1, E]</c>, the mean of the visible tokens. Similarities
    /// average the per-frame cosines.
    /// </summary>
    public required Tensor VisionEmbedding { get; init; }

    /// <summary><c>text_proj</c> of the <c>[CLS]</c> hidden state, <c>[B, E]</c>, not normalised.</summary>
    public required Tensor TextEmbedding { get; init; }

    /// <summary>The learnable temperature, 0-d, already clamped to [0.001, 0.5] for this step.</summary>
    public required Tensor Temperature { get; init; }

    /// <summary>
    /// <c>[B]</c> int64 caption ids: rows with equal ids are positives of each other (the reference's
    /// <c>idx</c>; here one id per distinct caption text, so clips with an equal caption count as
    /// positives, and the ids agree across processes).
    /// </summary>
    public required Tensor CaptionIds { get; init; }

    /// <summary>
    /// <see cref="CaptionIds"/> as the host built them: what an objective decides from the ids (VTM:
    /// whether the batch has a negative at all, which rows are positives) reads these, never the
    /// tensor, so the step does not wait for the device (issue 17 item 3).
    /// </summary>
    public required IReadOnlyList<long> HostCaptionIds { get; init; }

    /// <summary>
    /// <see cref="TokenizedText.InputIds"/> of <see cref="Text"/> on the CPU, <c>[B, L]</c> int64, as
    /// the tokenizer made them: MLM draws its corruption and selects its positions from these on
    /// the host, so the selection's data-dependent count costs no device read.
    /// </summary>
    public required Tensor HostInputIds { get; init; }
}
