using System.ComponentModel.DataAnnotations;

namespace Umt.Runner.Configuration;

/// <summary>
/// <c>Umt:Optimizer</c>: AdamW with the reference's stage-1 defaults (umt-method.md §2.5). Learning
/// rates are given per <see cref="BaseBatch"/> clips and scaled by the effective batch, as the
/// reference does (lr = 1.5e-4 × batch / 256).
/// </summary>
public sealed class OptimizerOptions : IValidatableObject
{
    /// <summary>Peak learning rate per <see cref="BaseBatch"/> clips.</summary>
    [Range(0.0, 10.0)]
    public double Lr { get; set; } = 1.5e-4;

    /// <summary>Batch size the learning rates are quoted for.</summary>
    [Range(1, int.MaxValue)]
    public int BaseBatch { get; set; } = 256;

    /// <summary>Final learning rate of the cosine schedule, per <see cref="BaseBatch"/> clips.</summary>
    [Range(0.0, 10.0)]
    public double MinLr { get; set; } = 1e-5;

    /// <summary>AdamW (β1, β2).</summary>
    public double[] Betas { get; set; } = [0.9, 0.95];

    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double Eps { get; set; } = 1e-8;

    /// <summary>Decoupled weight decay on matrices; biases, norms and position tables get none.</summary>
    [Range(0.0, 10.0)]
    public double WeightDecay { get; set; } = 0.05;

    /// <summary>Clip the global gradient norm to this value; null (the reference's stage 1) = no clipping.</summary>
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double? ClipGrad { get; set; }

    /// <summary>Micro-batches whose gradients are summed before one optimizer step.</summary>
    [Range(1, 4096)]
    public int AccumulateSteps { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Betas.Length != 2 || Betas.Any(b => b is < 0 or >= 1))
        {
            yield return new ValidationResult($"must be two numbers in [0, 1), got [{string.Join(", ", Betas)}]", [nameof(Betas)]);
        }
        if (MinLr > Lr)
        {
            yield return new ValidationResult($"must not exceed Lr ({Lr}), got {MinLr}", [nameof(MinLr)]);
        }
    }
}
