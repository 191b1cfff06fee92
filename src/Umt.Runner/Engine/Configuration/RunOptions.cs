using System.ComponentModel.DataAnnotations;

namespace Umt.Runner.Engine.Configuration;

/// <summary><c>Umt:Run</c>: what to run, for how long, and where the outputs go.</summary>
public sealed class RunOptions : IValidatableObject
{
    /// <summary>Seed of initialisation and of every keyed random draw.</summary>
    public long Seed { get; set; }

    /// <summary><c>auto</c> (CUDA when present, else CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    [RegularExpression("^(auto|cpu|cuda(:[0-9]+)?)$", ErrorMessage = "must be auto, cpu, cuda or cuda:N")]
    public string Device { get; set; } = "auto";

    /// <summary>Optimizer steps. When both this and <see cref="Epochs"/> are set, Steps wins, so <c>--set Umt:Run:Steps=N</c> shortens any recipe.</summary>
    [Range(1, int.MaxValue)]
    public int? Steps { get; set; }

    /// <summary>Passes over the dataset (the last incomplete batch of an epoch is dropped, as the reference does).</summary>
    [Range(1, int.MaxValue)]
    public int? Epochs { get; set; }

    /// <summary>Warm-up length in epochs (with <see cref="Epochs"/>).</summary>
    [Range(0, int.MaxValue)]
    public int? WarmupEpochs { get; set; }

    /// <summary>Warm-up length in steps. When neither warm-up key is set: the first 20 % of steps, the reference's 40 of 200 epochs.</summary>
    [Range(0, int.MaxValue)]
    public int? WarmupSteps { get; set; }

    /// <summary>Clips per optimizer step on this process (before gradient accumulation).</summary>
    [Range(1, 65536)]
    public int BatchSize { get; set; } = 16;

    /// <summary>Run folder: checkpoints, logs, TensorBoard events, the resolved configuration.</summary>
    [Required]
    public string OutputDir { get; set; } = "runs/default";

    /// <summary>Steps between metric lines and TensorBoard points.</summary>
    [Range(1, int.MaxValue)]
    public int LogEvery { get; set; } = 10;

    /// <summary>Steps between checkpoints (one is always written at the end).</summary>
    [Range(1, int.MaxValue)]
    public int CheckpointEvery { get; set; } = 100;

    /// <summary>Complete checkpoints kept; older ones are pruned after a newer one is complete.</summary>
    [Range(1, 1000)]
    public int KeepCheckpoints { get; set; } = 2;

    /// <summary>Intra-op threads for libtorch; 0 keeps libtorch's default (all cores).</summary>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>Threads that read and augment samples ahead of the training step.</summary>
    [Range(1, 64)]
    public int DataWorkers { get; set; } = 2;

    /// <summary>Finished batches held ready ahead of the step (each is B clips of host memory).</summary>
    [Range(1, 64)]
    public int PrefetchBatches { get; set; } = 2;

    /// <summary>
    /// Share of the dataset allowed to be unreadable (broken, missing or too short files, bad
    /// manifest rows) before the run stops; below it, such samples are skipped, logged, counted and
    /// replaced.
    /// </summary>
    [Range(0.0, 1.0)]
    public double MaxFailureFraction { get; set; } = 0.05;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Steps is null && Epochs is null)
        {
            yield return new ValidationResult("or Umt:Run:Epochs is required (how long to train)", [nameof(Steps)]);
        }
        if (WarmupEpochs is not null && WarmupSteps is not null)
        {
            yield return new ValidationResult("give at most one of WarmupEpochs and WarmupSteps", [nameof(WarmupSteps)]);
        }
    }
}
