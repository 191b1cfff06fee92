using System.Diagnostics;
using Serilog;
using TorchSharp.Modules;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Data;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Engine.Step;
using Umt.Runner.Engine.Training;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// The training loop every end-to-end fine-tune shares (run_class_finetuning.py's
/// <c>train_one_epoch</c>): AdamW (0.9, 0.999) over layer-decayed groups, the scheduled rate per
/// step times each group's scale, the training split read through the batch pipeline, one
/// reported loss per step. The task gives the loss of a batch.
/// </summary>
public sealed class FinetuneTraining(FinetuneSettings settings, ILogger log, ProgressRenderer progress)
{
    /// <summary>
    /// The task's loss of one batch at a step (built inside the step's dispose scope), or null
    /// where the batch gives nothing to learn from (the step is skipped, logged).
    /// </summary>
    public delegate Tensor? BatchLoss(HostBatch batch, long step);

    /// <param name="named">The model's trainable parameters under their checkpoint names (the student under <c>encoder.</c>).</param>
    /// <param name="lossName">The loss's name in the metric log.</param>
    /// <returns>The loss of every step that was taken.</returns>
    public List<double> Run(IEnumerable<(string Name, Parameter Parameter)> named, RunPlan plan, TrainingSchedule schedule, string outputDirectory, string lossName, BatchLoss loss, CancellationToken cancel)
    {
        var groups = LayerDecay.Groups(named, plan.Student.Depth, settings.LayerDecay, settings.WeightDecay);
        double beta1 = FinetuneSettings.Betas[0], beta2 = FinetuneSettings.Betas[1], eps = plan.Optimizer.Eps;
        using var optimizer = optim.AdamW(
            [.. groups.Select(g => new AdamW.ParamGroup(g.Parameters, schedule.LearningRate(0) * g.LrScale, beta1, beta2, eps, g.WeightDecay, false, false))],
            schedule.LearningRate(0), beta1, beta2, eps, settings.WeightDecay, false, false);

        using var dataset = plan.CreateDataset(log);
        var failures = new SampleFailures(log, dataset.Info.Count, plan.Run.MaxFailureFraction);
        using var pipeline = new BatchPipeline(dataset, plan.Run.Seed, schedule.EffectiveBatch, new DataCursor(0, 0), plan.Run.DataWorkers, failures, plan.Run.PrefetchBatches);
        using var reporter = new TrainingReporter(log, outputDirectory, plan.Run.LogEvery, schedule.TotalSteps, progress, "finetune");
        var losses = new List<double>();
        using var finalizers = NativeGarbage.HoldFinalizers(); // run at each step's end only
        for (long step = 0; step < schedule.TotalSteps && !cancel.IsCancellationRequested; step++)
        {
            var stepClock = Stopwatch.StartNew();
            double lr = schedule.LearningRate(step);
            var batch = pipeline.Next();
            var dataWait = stepClock.Elapsed;
            if (Step(optimizer, groups, batch, step, lr, loss) is not { } value)
            {
                log.Warning("Step {Step}: the batch gave nothing to learn from; skipped", step + 1);
                continue;
            }
            losses.Add(value);
            NativeGarbage.CollectAfterStep();
            reporter.Report(step + 1, value, new Dictionary<string, double> { [lossName] = value }, lr, stepClock.Elapsed.TotalSeconds, dataWait, failures.Count);
        }
        return losses;
    }

    /// <summary>One optimizer step, inside its own dispose scope: the module and optimizer live outside it.</summary>
    private static double? Step(AdamW optimizer, IReadOnlyList<LayerDecayGroup> groups, HostBatch host, long step, double lr, BatchLoss batchLoss)
    {
        using var scope = NewDisposeScope();
        for (int g = 0; g < groups.Count; g++)
        {
            optimizer.ParamGroups.ElementAt(g).LearningRate = lr * groups[g].LrScale;
        }
        if (batchLoss(host, step) is not { } loss)  // []
        {
            return null;
        }
        double value = loss.item<float>();
        if (!double.IsFinite(value))
        {
            throw new TrainingDivergedException($"The fine-tuning loss became non-finite ({value}) at step {step + 1}; lower --lr.");
        }
        loss.backward();
        optimizer.step();
        optimizer.zero_grad();
        return value;
    }
}
