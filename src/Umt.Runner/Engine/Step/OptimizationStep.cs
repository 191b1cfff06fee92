using TorchSharp.Modules;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Distributed;
using Umt.Abstractions.Randomness;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Data;
using Umt.Runner.Engine.Distributed;
using Umt.Runner.Engine.Training;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Step;

/// <summary>What one optimizer step produced.</summary>
/// <param name="Loss">Weighted total, averaged over the accumulated micro-batches (and over the processes of a data-parallel job).</param>
/// <param name="After">Data cursor, in the stream the step read, after the step's last micro-batch.</param>
public sealed record StepOutcome(double Loss, IReadOnlyDictionary<string, double> PerObjective, DataCursor After);

/// <summary>
/// One optimizer step of the configured pipeline: for each of <c>AccumulateSteps</c> micro-batches
/// the forward of <see cref="TrainingStep"/> and a backward, then optional clipping, a finiteness check of the gradients and AdamW
/// (decay and no-decay groups), all inside one dispose scope. In a data-parallel job the gradients
/// are averaged over processes between the last backward and the clipping, so every process
/// applies the update one process would on the global batch. Owns the optimizer. Shared by the
/// trainer and <c>umt bench</c>, so the benchmark times exactly what training runs.
/// </summary>
public sealed class OptimizationStep : IDisposable
{
    private readonly RunPlan plan;
    private readonly TrainingStep forward;
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly IStepPhaseRecorder? phases;
    private readonly ICollectives collectives;
    private readonly GradientAverager gradients;

    /// <param name="phases">Phase boundaries for <c>umt bench</c>'s breakdown; null (the default) in training, which then pays one null check per phase.</param>
    /// <param name="collectives">The job's processes; one process by default.</param>
    public OptimizationStep(TrainingModel model, RunPlan plan, IStepPhaseRecorder? phases = null, ICollectives? collectives = null)
    {
        this.plan = plan;
        this.phases = phases;
        this.collectives = collectives ?? SingleProcessCollectives.Instance;
        forward = new TrainingStep(model, plan, phases, this.collectives);
        var (decay, noDecay) = ParameterGroups.Split(model.NamedParameters());
        var o = plan.Optimizer;
        double lr = plan.Schedule.LearningRate(0);
        var groups = new List<AdamW.ParamGroup>
        {
            new(decay.Select(p => p.Parameter), lr, o.Betas[0], o.Betas[1], o.Eps, o.WeightDecay, false, false),
            new(noDecay.Select(p => p.Parameter), lr, o.Betas[0], o.Betas[1], o.Eps, 0.0, false, false),
        };
        Optimizer = optim.AdamW(groups, lr, o.Betas[0], o.Betas[1], o.Eps, o.WeightDecay, false, false);
        var ordered = decay.Concat(noDecay).ToList();
        ParameterNames = ordered.Select(p => p.Name).ToList();
        parameters = ordered.Select(p => p.Parameter).ToList();
        gradients = new GradientAverager(parameters, this.collectives, plan.Distributed.BucketMegabytes);
    }

    public AdamW Optimizer { get; }

    /// <summary>Checkpoint names of the optimizer's parameters, in optimizer order.</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>Shapes of the first forward pass.</summary>
    public StepShapes? FirstShapes => forward.FirstShapes;

    /// <summary>One optimizer step inside its own dispose scope, then what only finalizers free (<see cref="NativeGarbage"/>).</summary>
    /// <param name="nextBatch">Supplies each micro-batch (the pipeline in training, a fixed batch in the benchmark).</param>
    /// <param name="step">0-based optimizer step: keys the batch's randomness.</param>
    public StepOutcome Run(Func<HostBatch> nextBatch, long step, double lr)
    {
        var outcome = RunInScope(nextBatch, step, lr);
        NativeGarbage.CollectAfterStep();
        phases?.PhaseEnded(StepPhase.StepCleanup);
        return outcome;
    }

    private StepOutcome RunInScope(Func<HostBatch> nextBatch, long step, double lr)
    {
        phases?.StepStarted();
        using var scope = NewDisposeScope();
        foreach (var group in Optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }
        int accumulate = plan.Optimizer.AccumulateSteps;
        double total = 0;
        var perObjective = new Dictionary<string, double>();
        DataCursor after = default;
        for (int micro = 0; micro < accumulate; micro++)
        {
            var host = nextBatch();
            after = host.After;
            var deviceBatch = ToDevice(host, step);
            phases?.Restart(); // the upload is data movement, not one of the step's phases
            var losses = forward.Forward(deviceBatch);
            double value = losses.Total.item<float>();
            if (!double.IsFinite(value))
            {
                string parts = string.Join(", ", losses.PerObjective.Select(kv => $"{kv.Key} = {kv.Value.item<float>()}"));
                throw new TrainingDivergedException(
                    $"The loss became non-finite ({value}) at step {step + 1} ({parts}). The run stopped before the optimizer step, so no checkpoint holds the bad update; "
                    + "lower Umt:Optimizer:Lr, set Umt:Optimizer:ClipGrad, or resume from the last checkpoint.");
            }
            (accumulate == 1 ? losses.Total : losses.Total / accumulate).backward();
            total += value / accumulate;
            foreach (var (name, loss) in losses.PerObjective)
            {
                perObjective[name] = perObjective.GetValueOrDefault(name) + loss.item<float>() / accumulate;
            }
            phases?.PhaseEnded(StepPhase.Backward);
        }
        if (collectives.WorldSize > 1)
        {
            gradients.Average();
            phases?.PhaseEnded(StepPhase.GradientAllReduce);
        }
        RefuseNonFiniteGradients(step, total);
        Optimizer.step();
        Optimizer.zero_grad();
        phases?.PhaseEnded(StepPhase.Optimizer);
        if (collectives.WorldSize > 1)
        {
            total = AverageOverProcesses(total, perObjective);
        }
        return new StepOutcome(total, perObjective, after);
    }

    /// <summary>
    /// Clips the gradients when configured and stops the run, before the update, when their norm is
    /// not finite. A finite loss does not imply finite gradients: with a learning rate far too high the
    /// loss reached 5e12 while the backward overflowed, and AdamW turned every weight it touched into
    /// NaN, which the next checkpoint then saved. Gradients are averaged over processes first, so every
    /// process reaches the same verdict. One scalar read per step: the norm that
    /// <c>clip_grad_norm_</c> returns anyway, or a fused one on the device.
    /// </summary>
    private void RefuseNonFiniteGradients(long step, double loss)
    {
        double norm = plan.Optimizer.ClipGrad is { } maxNorm
            ? nn.utils.clip_grad_norm_(parameters, maxNorm)
            : FiniteValues.GradientNorm(parameters).item<float>();
        if (!double.IsFinite(norm))
        {
            var names = FiniteValues.NonFiniteGradients(ParameterNames, parameters);
            throw new TrainingDivergedException(
                $"The gradients became non-finite (norm {norm}) at step {step + 1} although the loss was finite ({loss:G4})"
                + (names.Count > 0 ? $"; non-finite in {FiniteValues.Describe(names)}" : "; no single entry is non-finite, their norm overflows")
                + ". The run stopped before the optimizer step, so neither the model nor any checkpoint holds the bad update; "
                + "lower Umt:Optimizer:Lr (or BaseBatch's scaling) and continue with --resume.");
        }
    }

    /// <summary>The logged losses as the mean over processes (each process's loss is its rows' mean), so rank 0 reports the global batch's.</summary>
    private double AverageOverProcesses(double total, Dictionary<string, double> perObjective)
    {
        var names = perObjective.Keys.ToList(); // the same objectives in the same order on every process
        using var values = tensor([total, .. names.Select(n => perObjective[n])], ScalarType.Float64); // [1 + objectives]
        collectives.AllReduce(values, ReduceOperation.Mean);
        var averaged = values.data<double>().ToArray();
        for (int i = 0; i < names.Count; i++)
        {
            perObjective[names[i]] = averaged[i + 1];
        }
        return averaged[0];
    }

    /// <summary>Moves a host batch to the run's device: <c>[B, 3, T, H, W]</c> (T = 1 for images) plus its per-sample keys for this step.</summary>
    public VideoBatch ToDevice(HostBatch host, long step)
    {
        var s = plan.Student;
        // A view of the host array, not a copy: the pipeline assembles every batch in a fresh array
        // that nothing writes to afterwards, so on the CPU the step reads the pixels where they lie
        // (a copy cost a fresh B·3·T·H·W allocation per step, ≈35 ms at batch 16 on the 2-core box);
        // on CUDA .to() makes the one host→device copy. Nothing may write into the video in place.
        var video = frombuffer(host.Pixels, ScalarType.Float32)
            .view(host.Indices.Length, 3, host.Frames, s.ImageSize, s.ImageSize).to(plan.Device); // [B, 3, T, H, W]
        return new VideoBatch(video, new SampleKeys(plan.Run.Seed, step, host.Indices), host.Samples);
    }

    public void Dispose() => Optimizer.Dispose();
}
