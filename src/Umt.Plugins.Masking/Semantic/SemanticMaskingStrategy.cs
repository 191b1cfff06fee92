using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using static TorchSharp.torch;

namespace Umt.Plugins.Masking.Semantic;

/// <summary>
/// UMT's semantic masking (Li et al., ICCV 2023, arXiv 2303.16058; reference
/// single_modality/engines/engine_for_pretraining_umt.py <c>train_one_epoch</c>): for every frame
/// of every clip, the teacher's head-averaged CLS→patch attention row is a sampling weight, a full
/// permutation is drawn without replacement (<c>torch.multinomial(attn, P)</c>) and the first
/// <c>Nv = P − int(Ratio·P)</c> drawn patches stay visible. High-attention tokens are therefore
/// more likely to be visible and aligned to the teacher, while the frame still shows some
/// low-attention context; every frame keeps exactly Nv tokens, so rows gather to <c>[B, T·Nv, D]</c>.
/// </summary>
/// <remarks>
/// The draw is Gumbel-top-k: the Nv largest of <c>log(w) + Gumbel</c> are distributed exactly as
/// the first Nv of a sequential weighted draw without replacement (the Gumbel-max trick applied
/// repeatedly; Vieira 2014, Kool et al. 2019), so one <c>topk</c> over <c>[B, T, P]</c> replaces
/// B·T multinomial calls. PyTorch's multinomial without replacement is itself this computation
/// (<c>topk(p / q)</c> with <c>q ~ Exp(1)</c>, aten Distributions.cpp), so the distribution is the
/// reference's; only the random numbers differ (docs/DECISIONS.md). The noise comes from each clip's keys, not the global generator, so a
/// clip's mask depends only on its keys and its attention, never on its place in the batch
/// (architecture.md, "Randomness").
/// </remarks>
internal sealed class SemanticMaskingStrategy(double ratio) : IMaskingStrategy
{
    /// <summary>
    /// Purpose string of the Gumbel noise in the sample keys; distinct from the <c>mask</c> draw of
    /// <c>random</c>/<c>tube</c> so the two never share numbers.
    /// </summary>
    private const string Purpose = "semantic-mask";

    /// <summary>
    /// Smallest uniform value used: the smallest normal fp32, so <c>log</c> stays finite on devices
    /// that flush subnormals (<c>rand</c> can return exactly 0, which would give a −∞ Gumbel).
    /// </summary>
    private const float MinUniform = 1.17549435e-38f;

    /// <summary>Largest uniform value used: the largest fp32 below 1, so <c>−log(u)</c> stays positive.</summary>
    private const float MaxUniform = 1f - 5.96046448e-8f;

    /// <summary>
    /// Log-weight given to zero attention instead of −∞. Positive fp32 weights have
    /// <c>log(w) ≥ −103.3</c> (the smallest subnormal) and the clamped Gumbel lies in about
    /// [−4.5, 16.7], so a zero-weight token scores below every positive one and is drawn after all of
    /// them, as in the reference; among themselves zero-weight tokens are ordered by their noise,
    /// i.e. uniformly, instead of by position, so a frame whose attention underflowed does not always
    /// show the same corner.
    /// </summary>
    private const float ZeroLogWeight = -1000f;

    /// <summary>Visible tokens Nv = T·(P − int(Ratio·P)) of a clip.</summary>
    public static int VisibleCount(double ratio, TokenGrid grid) =>
        grid.T * VisiblePerFrame(ratio, grid.PerSlot);

    private static int VisiblePerFrame(double ratio, int patches) =>
        patches - ShuffledMask.HiddenCount(ratio, patches); // N_vis = N − int(N·mask_ratio) in the reference

    public Tensor CreateMask(MaskingInput input)
    {
        int clips = input.Keys.Count;     // B
        int frames = input.Grid.T;        // T
        int patches = input.Grid.PerSlot; // P
        var attention = CheckedAttention(input, clips, frames, patches); // [B·T, P]

        using var scope = NewDisposeScope();
        // Sampling weights in fp32 on the mask's device (an fp16 teacher would underflow to zeros).
        var weights = attention.to(ScalarType.Float32, input.Device).reshape(clips, frames, patches); // [B, T, P]
        var logWeights = weights.log().clamp_min(ZeroLogWeight); // [B, T, P], zeros → ZeroLogWeight
        // Gumbel noise −log(−log u) from each clip's keys, u kept strictly inside (0, 1).
        var uniform = input.Keys.Uniform(Purpose, [frames, patches], input.Device).clamp(MinUniform, MaxUniform); // [B, T, P]
        var gumbel = uniform.log().neg().log().neg(); // [B, T, P]
        var scores = logWeights + gumbel;              // [B, T, P]
        // The Nv best scores per frame are the first Nv draws of multinomial(attn, P, replacement=False);
        // topk returns exactly Nv distinct indices per frame even where scores tie.
        var visible = scores.topk(VisiblePerFrame(ratio, patches), dim: -1).indexes;   // [B, T, Nv] int64
        var hidden = ones([clips, frames, patches], ScalarType.Bool, input.Device);     // [B, T, P], true = hidden
        var mask = hidden.scatter(-1, visible, zeros_like(visible, ScalarType.Bool));  // [B, T, P], Nv false per frame
        // Attention rows are (clip, frame), so frame t's patches land on tokens t·P .. t·P + P − 1 (t-major).
        return mask.view(clips, frames * patches).MoveToOuterDisposeScope(); // [B, T·P] = [B, N] bool
    }

    /// <summary>The teacher attention, or an <see cref="ArgumentException"/> naming the expected and actual shapes.</summary>
    private static Tensor CheckedAttention(MaskingInput input, int clips, int frames, int patches)
    {
        string expected = $"[B·T, P] = [{clips * frames}, {patches}] ({clips} clips × {frames} frames of {patches} patches on the {input.Grid} grid)";
        if (input.TeacherAttention is not { } attention)
        {
            throw new ArgumentException(
                $"semantic masking needs the teacher's CLS→patch attention {expected}, got none; the teacher must be asked to return attention.",
                nameof(input));
        }
        if (attention.dim() != 2 || attention.shape[0] != clips * frames || attention.shape[1] != patches)
        {
            throw new ArgumentException(
                $"semantic masking needs the teacher's CLS→patch attention {expected}, got [{string.Join(", ", attention.shape)}].",
                nameof(input));
        }
        return attention;
    }
}
