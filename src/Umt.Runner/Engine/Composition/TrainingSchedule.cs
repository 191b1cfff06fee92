using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Engine.Composition;

/// <summary>
/// Step counts and learning rates of a run, resolved from <c>Umt:Run</c> and <c>Umt:Optimizer</c>.
/// Under <see cref="LrScaling.Linear"/> the configured rates are per <c>BaseBatch</c> clips and
/// scale with the global batch, as single_modality/run_umt_pretraining.py and
/// run_class_finetuning.py (<c>lr = args.lr * total_batch_size / 256</c>); under
/// <see cref="LrScaling.None"/> they are used as given, as multi_modality (its
/// utils/optimizer.py takes <c>config.optimizer.lr</c> unchanged at any world size). The
/// effective batch is the global one: <c>BatchSize</c> is per process, as the reference's per-GPU
/// <c>batch_size</c>.
/// </summary>
public sealed record TrainingSchedule(long TotalSteps, long WarmupSteps, long StepsPerEpoch, double PeakLr, double MinLr, int EffectiveBatch)
{
    /// <summary>How the configured rates became these: <see cref="LrScaling.Linear"/> or <see cref="LrScaling.None"/> (rates given directly).</summary>
    public string Scaling { get; init; } = LrScaling.None;

    /// <summary><see cref="ScheduleShapes.Cosine"/> or <see cref="ScheduleShapes.FlooredCosine"/>.</summary>
    public string Shape { get; init; } = ScheduleShapes.Cosine;

    /// <summary>First rate of the <see cref="ScheduleShapes.Cosine"/> warm-up (np.linspace's start).</summary>
    public double WarmupLr { get; init; }

    /// <param name="imageCount">Samples of the image dataset whose batches alternate with the video batches (0: none); an epoch is every full batch of both, as the reference's MetaLoader.</param>
    /// <param name="worldSize">Processes of a data-parallel job, each taking <c>BatchSize</c> samples of every micro-batch.</param>
    public static TrainingSchedule Resolve(RunOptions run, OptimizerOptions optimizer, long datasetCount, long imageCount = 0, int worldSize = 1)
    {
        int effectiveBatch = run.BatchSize * optimizer.AccumulateSteps * worldSize;
        long stepsPerEpoch = Math.Max(1, datasetCount / effectiveBatch + imageCount / effectiveBatch);
        long total = run.Steps ?? (long)run.Epochs!.Value * stepsPerEpoch;
        long warmup = run.WarmupSteps
            ?? (run.WarmupEpochs is { } epochs ? epochs * stepsPerEpoch : total / 5); // the reference's 40 of 200 epochs
        double scale = optimizer.LrScaling == LrScaling.Linear ? effectiveBatch / (double)optimizer.BaseBatch : 1;
        return new TrainingSchedule(total, Math.Min(warmup, total), stepsPerEpoch, optimizer.Lr * scale, optimizer.MinLr * scale, effectiveBatch)
        {
            Scaling = optimizer.LrScaling,
            Shape = optimizer.Schedule,
            WarmupLr = optimizer.WarmupLr * scale,
        };
    }

    /// <summary>Learning rate of optimizer step <paramref name="step"/> (0-based), in the reference's shape named by <see cref="Shape"/>.</summary>
    public double LearningRate(long step) => Shape == ScheduleShapes.FlooredCosine ? FlooredCosine(step) : Cosine(step);

    /// <summary>
    /// single_modality/utils.py cosine_scheduler, per iteration: warm-up =
    /// np.linspace(WarmupLr, peak, W) (it reaches the peak on its last step; stage 1 passes no
    /// start, so 0, while run_class_finetuning.py passes its scaled warmup_lr), then
    /// min + ½(peak − min)(1 + cos(π i / (T − W))) over the remaining steps.
    /// </summary>
    private double Cosine(long step)
    {
        if (step < WarmupSteps)
        {
            return WarmupSteps == 1 ? WarmupLr : WarmupLr + (PeakLr - WarmupLr) * step / (WarmupSteps - 1);
        }
        long decaySteps = TotalSteps - WarmupSteps;
        if (decaySteps <= 0)
        {
            return PeakLr;
        }
        double progress = (step - WarmupSteps) / (double)decaySteps;
        return MinLr + 0.5 * (PeakLr - MinLr) * (1 + Math.Cos(Math.PI * progress));
    }

    /// <summary>
    /// multi_modality/utils/scheduler.py get_cosine_schedule_with_warmup's lr_lambda (num_cycles
    /// 0.5) times the peak: max(m, s / max(1, W)) during warm-up, then
    /// max(m, ½(1 + cos(π (s − W) / max(1, T − W)))), where the floor m is its min_lr_multi, here
    /// MinLr / peak. Unlike <see cref="Cosine"/> the floor clips the curve rather than rescaling it,
    /// and warm-up starts at the floor and reaches the peak only at step W.
    /// </summary>
    private double FlooredCosine(long step)
    {
        double floor = PeakLr > 0 ? MinLr / PeakLr : 0;
        double multiplier = step < WarmupSteps
            ? step / (double)Math.Max(1, WarmupSteps)
            : 0.5 * (1 + Math.Cos(Math.PI * (step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps)));
        return PeakLr * Math.Max(floor, multiplier);
    }
}
