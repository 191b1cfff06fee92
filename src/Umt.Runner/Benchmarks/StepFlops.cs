namespace Umt.Runner.Benchmarks;

/// <summary>
/// FLOPs of one VideoMAE training step, counted the usual way for transformers (Kaplan et al. 2020;
/// the torchsharp-notes.md probe): forward + backward of a linear layer is 6 FLOPs per parameter per
/// token (2 forward, 4 backward), and attention adds 12·B·N²·D per block (QKᵀ and AV, 2·N²·D each,
/// forward + backward). Only block parameters count: embeddings, norms' elementwise work, the
/// decoder head and the optimizer are left out, so the figure is a slight under-estimate.
/// </summary>
public static class StepFlops
{
    /// <param name="encoderBlockParameters">Parameters of the student's blocks.</param>
    /// <param name="visibleTokens">Tokens per clip the encoder processes, Nv.</param>
    /// <param name="decoderBlockParameters">Parameters of the decoder's blocks (0 when none).</param>
    /// <param name="decoderTokens">Tokens per clip the decoder processes, N.</param>
    public static double Count(long batch, long encoderBlockParameters, int encoderDepth, int encoderWidth, long visibleTokens,
        long decoderBlockParameters, int decoderDepth, int decoderWidth, long decoderTokens)
    {
        double encoder = 6.0 * encoderBlockParameters * batch * visibleTokens
            + 12.0 * encoderDepth * batch * visibleTokens * visibleTokens * encoderWidth;
        double decoder = 6.0 * decoderBlockParameters * batch * decoderTokens
            + 12.0 * decoderDepth * batch * decoderTokens * decoderTokens * decoderWidth;
        return encoder + decoder;
    }
}
