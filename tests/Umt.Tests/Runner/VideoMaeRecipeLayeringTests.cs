using Umt.Plugins.Datasets.Kinetics;
using Umt.Runner.Engine.Configuration;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Runner;

/// <summary>
/// <c>configs/videomae-b16.json</c> samples as VideoMAE's Kinetics pre-training does (MCG-NJU/VideoMAE
/// scripts/kinetics/videomae_vit_base_patch16_224_tubemasking_ratio_0.9_epoch_800/pretrain.sh:
/// <c>--num_frames 16 --sampling_rate 4</c>; datasets.py DataAugmentationForVideoMAE has no flip)
/// once a data overlay is layered after it, as the README layers them.
/// </summary>
public sealed class VideoMaeRecipeLayeringTests
{
    private static KineticsOptions Kinetics(IReadOnlyList<string> overlays, IReadOnlyList<string> sets, List<string> errors)
    {
        var configuration = ConfigurationLayers.Build(RepositoryPaths.Root, overlays, sets);
        return StrictOptionsBinder.Bind<KineticsOptions>(configuration.GetSection("Umt:Dataset:Options:kinetics"), errors);
    }

    [Theory]
    [InlineData("configs/data-k400.json")]
    [InlineData("configs/data-k710.json")]
    public void The_VideoMAE_recipe_keeps_dense_unflipped_sampling_under_a_data_overlay(string overlay)
    {
        var errors = new List<string>();
        var kinetics = Kinetics(["configs/videomae-b16.json", overlay], [], errors);

        errors.Should().BeEmpty();
        kinetics.Sampling.Should().Be("dense");
        kinetics.SamplingRate.Should().Be(4);
        kinetics.Flip.Should().BeFalse();
    }

    [Fact]
    public void The_VideoMAE_recipe_trains_801_epochs_without_drop_path()
    {
        // pretrain.sh passes --epochs 801 (range(0, 801) and the cosine over 801) and no --drop_path,
        // whose run_mae_pretraining.py default is 0.0.
        var configuration = ConfigurationLayers.Build(RepositoryPaths.Root, ["configs/videomae-b16.json"], []);

        configuration["Umt:Run:Epochs"].Should().Be("801");
        double.Parse(configuration["Umt:Model:DropPath"]!, System.Globalization.CultureInfo.InvariantCulture).Should().Be(0);
    }

    [Fact]
    public void The_UMT_recipe_keeps_segment_sampling_and_flip_under_its_data_overlay()
    {
        var errors = new List<string>();
        var kinetics = Kinetics(["configs/umt-b16-k710.json", "configs/data-k710.json"], [], errors);

        errors.Should().BeEmpty();
        kinetics.Sampling.Should().Be("segments");
        kinetics.Flip.Should().BeTrue();
    }

    [Fact]
    public void An_unknown_sampling_or_a_rate_below_one_names_the_key_and_the_choices()
    {
        var errors = new List<string>();
        Kinetics(["configs/videomae-b16.json", "configs/data-k400.json"],
            ["Umt:Dataset:Options:kinetics:Sampling=sparse", "Umt:Dataset:Options:kinetics:SamplingRate=0"], errors);

        errors.Should().BeEquivalentTo(
            "Umt:Dataset:Options:kinetics:Sampling: Sampling must be 'segments' or 'dense'.",
            "Umt:Dataset:Options:kinetics:SamplingRate must be in [1, 64], got 0");
    }
}
