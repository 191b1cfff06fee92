using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Step;

/// <summary>
/// Finiteness checks that keep a diverged update out of the model and out of every checkpoint.
/// Each check reduces on the tensors' device and reads one scalar back; the names of the offending
/// tensors are looked up only once a check has failed.
/// </summary>
internal static class FiniteValues
{
    /// <summary>
    /// The L2 norm of all gradients together, as <c>clip_grad_norm_</c> computes it: <c>[]</c> on the
    /// gradients' device. It is non-finite when any gradient entry is, and also when an entry is so
    /// large (≥ 1.8e19 in fp32) that its square overflows; AdamW's second moment would overflow at the
    /// same point, so either way the update must not be applied.
    /// </summary>
    public static Tensor GradientNorm(IReadOnlyList<Parameter> parameters)
    {
        var norms = parameters.Where(p => p.grad is not null).Select(p => linalg.vector_norm(p.grad!)).ToArray(); // each []
        return norms.Length == 0 ? zeros(1).squeeze() : linalg.vector_norm(stack(norms)); // []
    }

    /// <summary>Names of the parameters whose gradient holds a NaN or ±∞ (for the error message of a failed check).</summary>
    public static IReadOnlyList<string> NonFiniteGradients(IReadOnlyList<string> names, IReadOnlyList<Parameter> parameters) =>
        names.Zip(parameters).Where(x => x.Second.grad is { } g && !g.isfinite().all().item<bool>()).Select(x => x.First).ToList();

    /// <summary>Names of the floating-point tensors holding a NaN or ±∞; empty (after one scalar read) when all are finite.</summary>
    public static IReadOnlyList<string> NonFinite(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var floating = tensors.Where(kv => kv.Value.is_floating_point() && kv.Value.numel() > 0).ToList();
        if (floating.Count == 0 || stack(floating.Select(kv => kv.Value.isfinite().all()).ToArray()).all().item<bool>())
        {
            return [];
        }
        return floating.Where(kv => !kv.Value.isfinite().all().item<bool>()).Select(kv => kv.Key).ToList();
    }

    /// <summary>Throws <see cref="TrainingDivergedException"/> naming the tensors that hold a NaN or ±∞, so a diverged model is never written.</summary>
    /// <param name="what">What would have been written, for the message (e.g. "the fine-tuned model").</param>
    public static void Require(IReadOnlyDictionary<string, Tensor> tensors, string what)
    {
        var nonFinite = NonFinite(tensors);
        if (nonFinite.Count > 0)
        {
            throw new TrainingDivergedException($"Not writing {what}: {nonFinite.Count} tensors hold NaN or ±∞ ({Describe(nonFinite)}); lower the learning rate.");
        }
    }

    /// <summary>At most <paramref name="count"/> names, then how many more.</summary>
    public static string Describe(IReadOnlyList<string> names, int count = 5) =>
        string.Join(", ", names.Take(count)) + (names.Count > count ? $" and {names.Count - count} more" : "");
}
