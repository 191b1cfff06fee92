using Microsoft.Extensions.Configuration;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Workflows.Finetuning;
using Umt.Runner.Workflows.Study;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Runner;

/// <summary>
/// The typed override builder produces the configuration the workflows' hand-spelled
/// <c>--set</c> strings did (issue 18 item 3): each expected list below is the string list the
/// workflow built before the builder, copied verbatim, and both are resolved through
/// <see cref="ConfigurationLayers"/> over the same run configuration.
/// </summary>
public sealed class RunOverridesTests
{
    private const string Stage2Config = "configs/umt-stage2.json";

    [Fact]
    public void Retrieval_finetuning_derives_the_same_configuration_as_its_old_string_overlays()
    {
        // Values whose invariant spelling differs from a naive one (1E-06, 0.999) so formatting is exercised.
        var settings = new FinetuneSettings(Lr: 1e-4, MinLr: 1e-6, BatchSize: 3, WeightDecay: 0.02);
        var schedule = new TrainingSchedule(TotalSteps: 1234, WarmupSteps: 56, StepsPerEpoch: 10, PeakLr: 1e-4, MinLr: 1e-6, EffectiveBatch: 3);
        string output = Path.Combine(Path.GetTempPath(), "ft");
        string[] old =
        [
            "Umt:Objectives:vtc:Weight=1", "Umt:Objectives:vtm:Weight=1",
            "Umt:Objectives:umt-alignment:Weight=0", "Umt:Objectives:mlm:Weight=0", "Umt:Objectives:mae-pixels:Weight=0",
            "Umt:Teacher:Use=none",
            "Umt:Masking:Use=random", "Umt:Masking:Options:random:Ratio=0",
            "Umt:ImageDataset:Use=none", "Umt:ImageMasking:Use=random", "Umt:ImageMasking:Options:random:Ratio=0",
            "Umt:Stage2:From=/m/model.safetensors",
            $"Umt:Run:OutputDir={Path.Combine(output, RetrievalFinetune.RunFolder)}",
            "Umt:Run:Steps=1234", "Umt:Run:WarmupSteps=56",
            "Umt:Run:BatchSize=3", "Umt:Optimizer:AccumulateSteps=1",
            "Umt:Run:CheckpointEvery=1234", "Umt:Run:KeepCheckpoints=1",
            "Umt:Optimizer:Lr=0.0001", "Umt:Optimizer:MinLr=1E-06",
            "Umt:Optimizer:LrScaling=none", "Umt:Optimizer:Schedule=floored-cosine", "Umt:Optimizer:WarmupLr=0",
            "Umt:Optimizer:Betas:0=0.9", "Umt:Optimizer:Betas:1=0.999",
            "Umt:Optimizer:WeightDecay=0.02",
        ];

        var typed = RetrievalFinetune.Overlays(settings, schedule, "/m/model.safetensors", output);

        typed.Should().BeEquivalentTo(old, "every key and value as before; only the order of independent keys may differ");
        Resolved(Stage2Config, typed).Should().Equal(Resolved(Stage2Config, old));
    }

    [Fact]
    public void The_study_budget_views_and_splits_are_the_old_strings()
    {
        // KeepCheckpoints = the smoke study's one probe point + the off-grid checkpoint of an interrupted sitting (issue 20).
        var settings = StudySettings.Smoke;
        StudyRuns.Semantic.Arguments(new CommonArguments(RepositoryPaths.Root, [], []), settings, seed: 7, "/runs/s").Sets.Should().Equal(
            "Umt:Masking:Use=semantic", "Umt:Masking:Options:semantic:Ratio=0.8",
            "Umt:Run:Seed=7", "Umt:Run:Steps=2", "Umt:Run:WarmupSteps=1", "Umt:Run:BatchSize=2",
            "Umt:Run:CheckpointEvery=2", "Umt:Run:KeepCheckpoints=2", "Umt:Run:LogEvery=1", "Umt:Run:OutputDir=/runs/s");
        StudyProbe.Split(new CommonArguments(RepositoryPaths.Root, [], ["A=1"]), "test", 12).Sets.Should().Equal(
            "A=1", "Umt:Dataset:Use=synthetic", "Umt:Dataset:Options:synthetic:Split=test", "Umt:Dataset:Options:synthetic:Clips=12");
        new FinetuneData("kinetics", 1, 1, null, null, null).Views(clips: 2, crops: 3)[5].Should().Equal(
            "Umt:Dataset:Options:kinetics:TestClips=2", "Umt:Dataset:Options:kinetics:TestClip=1",
            "Umt:Dataset:Options:kinetics:TestCrops=3", "Umt:Dataset:Options:kinetics:TestCrop=2");
        new RunOverrides().Manifest("kinetics", "m.csv", "media").DatasetMode("kinetics", "eval").Sets.Should().Equal(
            "Umt:Dataset:Use=kinetics", $"Umt:Dataset:Options:kinetics:Manifest={Path.GetFullPath("m.csv")}",
            $"Umt:Dataset:Options:kinetics:Root={Path.GetFullPath("media")}", "Umt:Dataset:Options:kinetics:Mode=eval");
    }

    private static List<KeyValuePair<string, string?>> Resolved(string config, IReadOnlyList<string> sets) =>
        [.. ConfigurationLayers.Build(RepositoryPaths.Root, [config], sets).AsEnumerable().OrderBy(kv => kv.Key, StringComparer.Ordinal)];
}
