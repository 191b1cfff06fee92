using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.VisionLanguage;

/// <summary>
/// The stage-2 parts shared by the caption objectives (umt-method.md §3.1): <c>pool_norm</c> over the
/// mean of the student's tokens, the projections <c>vision_proj</c> (D → E) and <c>text_proj</c>
/// (text width → E) into the joint space, and the learnable temperature <c>temp</c>.
/// </summary>
/// <remarks>
/// Mirrors multi_modality/models/umt.py (<c>vision_proj</c>, <c>text_proj</c>, <c>temp</c>, default
/// PyTorch Linear initialisation) and the stage-2 vit's <c>pool_norm</c> (the ViT's
/// <c>LayerNorm(eps=1e-6)</c>). Field names are the reference's keys; the runner saves them at the
/// top level of <c>model.safetensors</c> beside <c>encoder.</c> (the reference nests pool_norm under
/// <c>vision_encoder.</c>; <c>umt convert</c> maps it).
/// </remarks>
public sealed class VisionLanguageHeads : nn.Module
{
    /// <summary>Lower bound of the temperature (umt.py <c>clip_contrastive_temperature</c>).</summary>
    public const double MinTemperature = 0.001;

    /// <summary>Upper bound of the temperature.</summary>
    public const double MaxTemperature = 0.5;

    private readonly LayerNorm pool_norm;
    private readonly Linear vision_proj;
    private readonly Linear text_proj;
    private readonly Parameter temp;

    /// <param name="visionWidth">Student width D.</param>
    /// <param name="textWidth">Text encoder width W.</param>
    /// <param name="embedDim">Joint space width E (512 for B/16, 768 for L/16 in the reference).</param>
    /// <param name="temperature">Initial temperature (0.07).</param>
    public VisionLanguageHeads(long visionWidth, long textWidth, long embedDim, double temperature) : base(nameof(VisionLanguageHeads))
    {
        pool_norm = nn.LayerNorm(visionWidth, eps: 1e-6);
        vision_proj = nn.Linear(visionWidth, embedDim);
        text_proj = nn.Linear(textWidth, embedDim);
        temp = nn.Parameter(full([], temperature).DetachFromDisposeScope()); // owned by the module, not the caller's scope
        RegisterComponents();
    }

    /// <summary>The temperature parameter (0-d).</summary>
    public Tensor Temperature => temp;

    /// <summary>
    /// Training-time pooled embedding: <c>vision_proj(pool_norm(mean over tokens))</c>.
    /// </summary>
    /// <param name="tokens">Visible tokens <c>[B, Nv, D]</c>.</param>
    /// <returns><c>[B, 1, E]</c>: one vector per clip, as the reference with a mask (keep_temporal off).</returns>
    public Tensor EmbedVision(Tensor tokens)
    {
        var pooled = pool_norm.call(tokens.mean([1], keepdim: true)); // [B, 1, D]
        return vision_proj.call(pooled);                              // [B, 1, E]
    }

    /// <summary>
    /// Embedding with <c>keep_temporal</c> (evaluation, and training steps whose mask hides
    /// nothing): each frame's tokens averaged, normed and projected, so similarities average
    /// per-frame cosines.
    /// </summary>
    /// <param name="tokens">All tokens <c>[B, T·P, D]</c>, t-major.</param>
    /// <param name="frames">Token frames T.</param>
    /// <returns><c>[B, T, E]</c>.</returns>
    public Tensor EmbedVisionPerFrame(Tensor tokens, long frames)
    {
        long batch = tokens.shape[0], width = tokens.shape[2];
        var perFrame = tokens.view(batch, frames, -1, width).mean([2]); // [B, T, D]
        return vision_proj.call(pool_norm.call(perFrame));             // [B, T, E]
    }

    /// <summary><c>text_proj</c> of each caption's <c>[CLS]</c> state.</summary>
    /// <param name="textHidden">"text" mode states <c>[B, L, W]</c>.</param>
    /// <returns><c>[B, E]</c>.</returns>
    public Tensor EmbedText(Tensor textHidden) => text_proj.call(textHidden.select(1, 0)); // [B, E]

    /// <summary>
    /// Clamps the temperature to [<see cref="MinTemperature"/>, <see cref="MaxTemperature"/>] in
    /// place, outside autograd, and returns it.
    /// </summary>
    /// <remarks>
    /// The reference does exactly this at the start of every <c>UMT.forward</c>
    /// (<c>@torch.no_grad() self.temp.clamp_(min_val, max_val)</c>): the stored value is rewritten
    /// (the optimizer and checkpoints see the clamped value) and the clamp is not part of the
    /// graph, so <c>∂loss/∂temp</c> reaches the parameter unchanged at any value, including at the
    /// bounds (an out-of-place clamp in the graph would give a zero gradient outside the range and
    /// leave a parameter the optimizer pushed past a bound stuck there). Call it before the
    /// temperature enters the step's forward: an in-place write to a tensor the graph already
    /// saved fails the backward's version check.
    /// </remarks>
    /// <param name="temperature">The 0-d temperature (a leaf that requires grad is fine).</param>
    public static Tensor ClampTemperature(Tensor temperature)
    {
        using (no_grad())
        {
            // No dispose scope here: TorchSharp's in-place ops may hand back the caller's own
            // object, which a scope would dispose.
            _ = temperature.clamp_(MinTemperature, MaxTemperature); // [] in place
        }
        return temperature;
    }

    /// <summary>
    /// Vision→text similarity logits (criterions.py <c>get_sim</c>, <c>agg_method="mean"</c>): both
    /// sides L2-normalised (<c>F.normalize</c>, eps 1e-12), the cosine of every frame with every
    /// caption averaged over frames, divided by the temperature. The text→vision matrix is the transpose.
    /// </summary>
    /// <param name="vision">
    /// <c>[B, D]</c>, or <c>[B, T, D]</c> per-frame features (a masked training step passes the
    /// pooled <c>[B, 1, D]</c>; evaluation and unmasked steps, with <c>keep_temporal</c>, one row per frame).
    /// </param>
    /// <param name="text">Caption features <c>[B', D]</c>.</param>
    /// <param name="temperature">0-d temperature (already clamped, see <see cref="ClampTemperature"/>).</param>
    /// <returns><c>[B, B']</c>: <c>mean_t cos(v_t, w) / temp</c>.</returns>
    public static Tensor Similarity(Tensor vision, Tensor text, Tensor temperature)
    {
        if (vision.dim() is not (2 or 3) || text.dim() != 2 || vision.shape[^1] != text.shape[^1])
        {
            throw new ArgumentException(
                $"Expected vision [B, D] or [B, T, D] and text [B', D] of the same width, got [{string.Join(", ", vision.shape)}] and [{string.Join(", ", text.shape)}].");
        }
        using var scope = NewDisposeScope();
        var frames = vision.dim() == 2 ? vision.unsqueeze(1) : vision;       // [B, T, D]
        var v = nn.functional.normalize(frames, p: 2, dim: -1);             // [B, T, D]  unit rows
        var w = nn.functional.normalize(text, p: 2, dim: -1);               // [B', D]   unit rows
        // einsum("mld,nd->mln") then mean over l: averaging per-frame cosines (agg_method "mean"),
        // not the cosine of the averaged frame.
        var cosines = matmul(v, w.t().unsqueeze(0));                        // [B, T, B']
        return (cosines.mean([1]) / temperature).MoveToOuterDisposeScope(); // [B, B']
    }
}
