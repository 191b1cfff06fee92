using Umt.Runner.Configuration;

namespace Umt.Runner.Composition;

/// <summary>
/// Step counts and learning rates of a run, resolved from <c>Umt:Run</c> and <c>Umt:Optimizer</c>.
/// Rates are the configured per-<c>BaseBatch</c> values scaled by the effective batch, as the
/// reference's `lr = args.lr * total_batch_size / 256` (umt-method.md §2.5). The effective batch
/// is the global one: <c>BatchSize</c> is per process, as the reference's per-GPU <c>batch_size</c>.
/// </summary>
public sealed record TrainingSchedule(long TotalSteps, long WarmupSteps, long StepsPerEpoch, double PeakLr, double MinLr, int EffectiveBatch)
{
    /// <param name="imageCount">Samples of the image dataset whose batches alternate with the video batches (0: none); an epoch is every full batch of both, as the reference's MetaLoader.</param>
    /// <param name="worldSize">Processes of a data-parallel job, each taking <c>BatchSize</c> samples of every micro-batch.</param>
    public static TrainingSchedule Resolve(RunOptions run, OptimizerOptions optimizer, long datasetCount, long imageCount = 0, int worldSize = 1)
    {
        int effectiveBatch = run.BatchSize * optimizer.AccumulateSteps * worldSize;
        long stepsPerEpoch = Math.Max(1, datasetCount / effectiveBatch + imageCount / effectiveBatch);
        long total = run.Steps ?? (long)run.Epochs!.Value * stepsPerEpoch;
        long warmup = run.WarmupSteps
            ?? (run.WarmupEpochs is { } epochs ? epochs * stepsPerEpoch : total / 5); // the reference's 40 of 200 epochs
        double scale = effectiveBatch / (double)optimizer.BaseBatch;
        return new TrainingSchedule(total, Math.Min(warmup, total), stepsPerEpoch, optimizer.Lr * scale, optimizer.MinLr * scale, effectiveBatch);
    }

    /// <summary>
    /// Learning rate of optimizer step <paramref name="step"/> (0-based), exactly the reference's
    /// utils.cosine_scheduler: warm-up = np.linspace(0, peak, W) (so it starts at 0 and reaches
    /// the peak on its last step; the reference's scaled warm-up start is computed but never
    /// passed), then peak → min by cosine over the remaining steps, per iteration.
    /// </summary>
    public double LearningRate(long step)
    {
        if (step < WarmupSteps)
        {
            return WarmupSteps == 1 ? 0 : PeakLr * step / (WarmupSteps - 1);
        }
        long decaySteps = TotalSteps - WarmupSteps;
        if (decaySteps <= 0)
        {
            return PeakLr;
        }
        double progress = (step - WarmupSteps) / (double)decaySteps;
        return MinLr + 0.5 * (PeakLr - MinLr) * (1 + Math.Cos(Math.PI * progress));
    }
}
