using System.ComponentModel.DataAnnotations;

namespace Umt.Runner.Engine.Configuration;

/// <summary>
/// <c>Umt:Optimizer</c>: AdamW with the reference's stage-1 defaults (umt-method.md §2.5). How the
/// rates relate to the batch is <see cref="LrScaling"/>: the reference's stage 1 scales them
/// (lr = 1.5e-4 × batch / 256), its stage 2 uses them as given.
/// </summary>
public sealed class OptimizerOptions : IValidatableObject
{
    /// <summary>Peak learning rate (per <see cref="BaseBatch"/> clips under <c>linear</c> scaling).</summary>
    [Range(0.0, 10.0)]
    public double Lr { get; set; } = 1.5e-4;

    /// <summary>
    /// <c>linear</c>: <see cref="Lr"/>, <see cref="MinLr"/> and <see cref="WarmupLr"/> are per
    /// <see cref="BaseBatch"/> clips and scale with the global batch (BatchSize × AccumulateSteps ×
    /// processes), as single_modality/run_umt_pretraining.py; <c>none</c>: used as given at any
    /// batch and world size, as multi_modality (stage 2, retrieval fine-tuning).
    /// </summary>
    [Required]
    [RegularExpression("^(linear|none)$", ErrorMessage = "must be linear or none")]
    public string LrScaling { get; set; } = Configuration.LrScaling.Linear;

    /// <summary>Batch size the learning rates are quoted for under <c>linear</c> scaling.</summary>
    [Range(1, int.MaxValue)]
    public int BaseBatch { get; set; } = 256;

    /// <summary>Final learning rate of the cosine (its floor under <c>floored-cosine</c>).</summary>
    [Range(0.0, 10.0)]
    public double MinLr { get; set; } = 1e-5;

    /// <summary>
    /// <c>cosine</c>: single_modality/utils.py cosine_scheduler, per step (linear warm-up from
    /// <see cref="WarmupLr"/> reaching the peak on its last step, then cosine onto [MinLr, peak]);
    /// <c>floored-cosine</c>: multi_modality/utils/scheduler.py (warm-up step/W, cosine towards 0,
    /// both clipped at MinLr).
    /// </summary>
    [Required]
    [RegularExpression("^(cosine|floored-cosine)$", ErrorMessage = "must be cosine or floored-cosine")]
    public string Schedule { get; set; } = ScheduleShapes.Cosine;

    /// <summary>First rate of the <c>cosine</c> warm-up (scaled as <see cref="Lr"/>); the reference's stage 1 passes none, so 0.</summary>
    [Range(0.0, 10.0)]
    public double WarmupLr { get; set; }

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
        if (WarmupLr > Lr)
        {
            yield return new ValidationResult($"must not exceed Lr ({Lr}), got {WarmupLr}", [nameof(WarmupLr)]);
        }
        if (WarmupLr > 0 && Schedule == ScheduleShapes.FlooredCosine)
        {
            yield return new ValidationResult($"applies to Schedule = cosine only: floored-cosine warms up from MinLr, as multi_modality/utils/scheduler.py; got {WarmupLr}", [nameof(WarmupLr)]);
        }
    }
}
