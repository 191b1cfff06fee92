using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Umt.Models.Weights;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Model;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.Study;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Evaluation.Compare;

/// <summary>
/// The study's supervised reference learns its label set: its cross-entropy falls from the untrained
/// ln(classes). Small enough to be quick: 2 frames of 32², 16 training clips seen 20 times over.
/// </summary>
public sealed class SupervisedReferenceTests(ITestOutputHelper log)
{
    [Fact]
    public void The_supervised_reference_lowers_its_cross_entropy_from_ln_classes()
    {
        using var dir = new TemporaryDirectory();
        var clock = Stopwatch.StartNew();
        var settings = StudySettings.Smoke with { Steps = 40, BatchSize = 8 };
        ServicesBuilder build = change => RunnerServices.Build(change(new CommonArguments(RepositoryPaths.Root, [],
            ["Umt:Run:DataWorkers=1", "Umt:Model:Frames=2", "Umt:Model:ImageSize=32", "Umt:Dataset:Options:synthetic:Clips=16", "Umt:Optimizer:Lr=0.004"])));
        var services = build(user => StudyRuns.Semantic.Arguments(user, settings, 0, dir.Combine("floor")));
        var plan = services.GetRequiredService<RunPlan>();
        string floor = dir.Combine("floor.safetensors");
        using (var scope = NewDisposeScope())
        using (var model = TrainingModel.Create(plan, services.GetRequiredService<Serilog.ILogger>(), withTeacher: false))
        {
            SafetensorsFile.WriteAtomic(floor, model.StateDict());
        }
        var test = build(user => StudyProbe.Split(StudyRuns.Semantic.Arguments(user, settings, 0, dir.Combine("floor")), "test", 16)).GetRequiredService<RunPlan>();

        var outcome = new SupervisedReference(build, settings, ProgressRenderer.Silent).Train(floor, "appearance", 0, dir.Combine("supervised"), test, CancellationToken.None);
        log.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s; losses {string.Join(" ", outcome.Losses.Select(l => l.ToString("F3")))}");

        outcome.Steps.Should().Be(40);
        outcome.Losses.Should().HaveCount(40);
        // The head starts at 0.001 × its init, so every logit is ~0 and the cross-entropy (label smoothing or not) is ln(classes).
        outcome.Losses[0].Should().BeApproximately(Math.Log(outcome.Classes), 0.05);
        outcome.Losses.TakeLast(8).Average().Should().BeLessThan(outcome.Losses.Take(8).Average() - 0.3, "the loss falls");
        outcome.TrainCpuSeconds.Should().BeGreaterThan(0);
        File.Exists(outcome.ModelFile).Should().BeTrue();
    }
}
