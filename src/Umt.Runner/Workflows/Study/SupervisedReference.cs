using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Logging;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.Finetuning;

namespace Umt.Runner.Workflows.Study;

/// <summary>
/// The supervised reference of issue 20: what the study's student can learn at all from a label set
/// in the study's budget. <c>umt finetune</c>'s classification (<see cref="ClassificationFinetune"/>:
/// mean pool → fc_norm → linear head, cross-entropy with label smoothing, AdamW) from the floor's
/// untrained student, on the pretraining runs' own clips (training augmentation as theirs), with
/// their steps, batch, warm-up share, peak and final learning rate; no layer decay, which protects
/// pretrained layers and there are none.
/// </summary>
/// <param name="progress">Where the fine-tune's steps are shown.</param>
public sealed class SupervisedReference(ServicesBuilder build, StudySettings settings, ProgressRenderer progress)
{
    /// <param name="floorModel">The floor's <c>model.safetensors</c>: the seed's untrained student.</param>
    /// <param name="test">The held-out split the classifier's own head is scored on (the probes' scoring split).</param>
    public ClassificationOutcome Train(string floorModel, string labelSet, long seed, string folder, RunPlan test, CancellationToken cancel)
    {
        var services = build(user => StudyRuns.Semantic.Arguments(user, settings, seed, folder));
        var plan = services.GetRequiredService<RunPlan>();
        var recipe = new FinetuneSettings(
            Lr: plan.Optimizer.Lr, MinLr: plan.Optimizer.MinLr, WarmupLr: plan.Optimizer.WarmupLr,
            Steps: settings.Steps, WarmupSteps: settings.WarmupSteps, BatchSize: settings.BatchSize,
            LayerDecay: 1.0, DropPath: plan.StudentConfig.DropPath);
        Directory.CreateDirectory(folder);
        using var log = SerilogSetup.Create(services.GetRequiredService<IConfiguration>(), folder, metricsOnConsole: false);
        return new ClassificationFinetune(recipe, log, progress).Run(plan, [test], floorModel, plan.Student.Grid, labelSet, folder, cancel);
    }
}
