namespace Umt.Runner.Workflows.Benchmarks;

/// <summary>
/// FLOPs of one training step, counted the usual way for transformers (Kaplan et al. 2020;
/// the torchsharp-notes.md probe): a linear layer costs 2 FLOPs per parameter per token forward
/// and 4 more backward (input and weight gradients), so 6 trained and 2 frozen; attention adds
/// 2·L²·D for QKᵀ and 2·L²·D for AV per sequence and block forward, three times that with the
/// backward (12·L²·D). Norms, activations, softmax, the loss and the optimizer's elementwise
/// work are left out, so every figure is a slight under-estimate.
/// </summary>
public static class StepFlops
{
    /// <summary>A transformer stack's size as the formulas need it.</summary>
    /// <param name="BlockParameters">Parameters of the blocks that run.</param>
    /// <param name="Depth">Blocks that run.</param>
    /// <param name="Width">Residual width D.</param>
    public sealed record Stack(long BlockParameters, int Depth, int Width);

    /// <summary>Forward + backward of a trained stack: 6·params·S·L + 12·depth·S·L²·D.</summary>
    /// <param name="sequences">S, sequences (clips).</param>
    /// <param name="tokens">L, tokens per sequence.</param>
    public static double Trained(Stack stack, long sequences, long tokens) =>
        6.0 * stack.BlockParameters * sequences * tokens + 12.0 * stack.Depth * sequences * tokens * tokens * stack.Width;

    /// <summary>Forward of a frozen stack under no_grad: 2·params·S·L + 4·depth·S·L²·D.</summary>
    public static double Frozen(Stack stack, long sequences, long tokens) =>
        2.0 * stack.BlockParameters * sequences * tokens + 4.0 * stack.Depth * sequences * tokens * tokens * stack.Width;

    /// <summary>
    /// The VideoMAE step: encoder forward + backward on the B·Nv visible tokens, decoder on all N
    /// (the decoder's head and the patch embedding left out, as measured since issue 2).
    /// </summary>
    /// <param name="encoderBlockParameters">Parameters of the student's blocks.</param>
    /// <param name="visibleTokens">Tokens per clip the encoder processes, Nv.</param>
    /// <param name="decoderBlockParameters">Parameters of the decoder's blocks (0 when none).</param>
    /// <param name="decoderTokens">Tokens per clip the decoder processes, N.</param>
    public static double Count(long batch, long encoderBlockParameters, int encoderDepth, int encoderWidth, long visibleTokens,
        long decoderBlockParameters, int decoderDepth, int decoderWidth, long decoderTokens) =>
        Trained(new Stack(encoderBlockParameters, encoderDepth, encoderWidth), batch, visibleTokens)
        + Trained(new Stack(decoderBlockParameters, decoderDepth, decoderWidth), batch, decoderTokens);

    /// <summary>
    /// The UMT stage-1 step, B clips of T frames, N = T·P student tokens of which Nv visible:
    /// <list type="bullet">
    /// <item>teacher, frozen, on every frame: B·T sequences of 1 + Pt tokens (CLS included) through
    /// the blocks it runs, <c>Frozen(teacher, B·T, 1 + Pt)</c>; its patch embedding
    /// <c>2·conv1·B·T·Pt</c>; <c>ln_post·proj</c> on K layers' patch tokens <c>2·K·Dt·C·B·T·Pt</c>;</item>
    /// <item>student on the visible tokens, forward + backward, <c>Trained(student, B, Nv)</c>, plus
    /// its patch embedding on all N tokens, whose input needs no gradient: <c>4·embed·B·N</c>;</item>
    /// <item>alignment heads, each a Linear D→C + LayerNorm on B·Nv tokens: <c>6·heads·B·Nv</c>.</item>
    /// </list>
    /// </summary>
    /// <param name="teacherEmbedParameters">Parameters of the teacher's patch convolution (<c>conv1</c>).</param>
    /// <param name="teacherPatches">Pt, patch tokens per frame the teacher sees.</param>
    /// <param name="projectionParameters">Dt·C, the teacher's <c>proj</c>.</param>
    /// <param name="alignedLayers">K.</param>
    /// <param name="studentEmbedParameters">Parameters of the student's patch embedding.</param>
    /// <param name="tokens">N, tokens per clip.</param>
    /// <param name="visibleTokens">Nv, visible tokens per clip.</param>
    /// <param name="headParameters">Parameters of all K heads together (each sees the B·Nv tokens once).</param>
    public static double Umt(long batch, int frames,
        Stack teacher, long teacherEmbedParameters, long teacherPatches, long projectionParameters, int alignedLayers,
        Stack student, long studentEmbedParameters, long tokens, long visibleTokens, long headParameters)
    {
        long frameSequences = batch * frames;
        double teacherForward = Frozen(teacher, frameSequences, 1 + teacherPatches)
            + 2.0 * teacherEmbedParameters * frameSequences * teacherPatches
            + 2.0 * alignedLayers * projectionParameters * frameSequences * teacherPatches;
        double studentStep = Trained(student, batch, visibleTokens) + 4.0 * studentEmbedParameters * batch * tokens;
        double headsStep = 6.0 * headParameters * batch * visibleTokens;
        return teacherForward + studentStep + headsStep;
    }
}
