using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// Hyper-parameters of <c>umt finetune</c>, defaults from the reference's fine-tuning scripts
/// (single_modality/exp/finetuning/*, run_class_finetuning.py): AdamW (0.9, 0.999), weight decay
/// 0.05, layer decay 0.75, label smoothing 0.1, head init scale 0.001, min lr 1e-6, warm-up from
/// warmup_lr 1e-6 then cosine per step.
/// </summary>
/// <param name="Lr">Peak learning rate; classification: per <c>Umt:Optimizer:BaseBatch</c> clips (scaled by the batch, as run_class_finetuning.py); retrieval: as given (multi_modality).</param>
/// <param name="WarmupLr">Classification: first warm-up rate per <c>BaseBatch</c> clips (run_class_finetuning.py <c>--warmup_lr</c>, passed as cosine_scheduler's start_warmup_value).</param>
/// <param name="Epochs">Passes over the training split (ignored when <paramref name="Steps"/> is set).</param>
/// <param name="WarmupEpochs">Warm-up, in epochs (ignored when <paramref name="WarmupSteps"/> is set); neither: 20 % of the steps, as pretraining.</param>
/// <param name="TestClips">Temporal views per held-out clip (the reference's <c>test_num_segment</c>).</param>
/// <param name="TestCrops">Spatial views per held-out clip (the reference's <c>test_num_crop</c>).</param>
public sealed record FinetuneSettings(
    double Lr,
    double MinLr = 1e-6,
    double WarmupLr = 1e-6,
    int? Epochs = 5,
    int? Steps = null,
    int? WarmupEpochs = null,
    int? WarmupSteps = null,
    int BatchSize = 16,
    double WeightDecay = 0.05,
    double LayerDecay = 0.75,
    double DropPath = 0.1,
    double HeadDropout = 0.0,
    double LabelSmoothing = 0.1,
    double InitScale = 0.001,
    int TestClips = 1,
    int TestCrops = 1)
{
    /// <summary>The reference's fine-tuning betas (run_class_finetuning.py <c>--opt_betas 0.9 0.999</c>).</summary>
    public static readonly double[] Betas = [0.9, 0.999];

    /// <summary>
    /// Step counts and rates of classification fine-tuning over <paramref name="trainClips"/>
    /// training clips, as run_class_finetuning.py: rates per <paramref name="baseBatch"/> clips
    /// scaled by the batch, <c>np.linspace</c> warm-up from the scaled <see cref="WarmupLr"/>,
    /// per-step cosine to the minimum. Retrieval takes only the step counts (its rates follow the
    /// stage-2 rules, <see cref="RetrievalFinetune.Overlays"/>).
    /// </summary>
    public TrainingSchedule Schedule(long trainClips, int baseBatch) =>
        TrainingSchedule.Resolve(
            new RunOptions { Steps = Steps, Epochs = Steps is null ? Epochs : null, WarmupSteps = WarmupSteps, WarmupEpochs = WarmupEpochs, BatchSize = BatchSize },
            new OptimizerOptions { Lr = Lr, MinLr = MinLr, WarmupLr = WarmupLr, BaseBatch = baseBatch, LrScaling = LrScaling.Linear, Schedule = ScheduleShapes.Cosine },
            trainClips);
}
