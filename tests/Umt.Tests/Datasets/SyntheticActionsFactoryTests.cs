using System.ComponentModel.DataAnnotations;
using System.Composition.Hosting;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Synthetic;

namespace Umt.Tests.Datasets;

/// <summary>The <c>synthetic</c> export, its Describe and its options, as the runner meets them.</summary>
public sealed class SyntheticActionsFactoryTests
{
    [Fact]
    public void Export_is_named_synthetic_with_a_description_and_shared()
    {
        using var container = new ContainerConfiguration().WithAssembly(typeof(SyntheticOptions).Assembly).CreateContainer();

        var export = container.GetExports<Lazy<IVideoDatasetFactory, PluginMetadata>>().Single(e => e.Metadata.Name == "synthetic");

        export.Metadata.Description.Should().NotBeNullOrWhiteSpace();
        export.Value.OptionsType.Should().Be<SyntheticOptions>();
        container.GetExports<IVideoDatasetFactory>().Where(f => f.OptionsType == typeof(SyntheticOptions))
            .Should().ContainSingle().Which.Should().BeSameAs(export.Value, "factories are [Shared] stateless parts");
    }

    [Theory]
    [InlineData(false, 2)]
    [InlineData(true, 1)]
    public void Describe_reports_counts_label_sets_captions_and_boxes(bool images, int labelSets)
    {
        var info = SyntheticDatasetHarness.SyntheticFactory.Describe(new SyntheticOptions { Clips = 123, Images = images }, SyntheticDatasetHarness.Context());

        info.Count.Should().Be(123);
        info.HasCaptions.Should().BeTrue();
        info.HasBoxes.Should().BeTrue();
        info.LabelSets.Should().HaveCount(labelSets);
        info.LabelSets[SyntheticVocabulary.AppearanceLabel].Should().Be(36);
        if (!images)
        {
            info.LabelSets[SyntheticVocabulary.MotionLabel].Should().Be(10);
        }
    }

    [Fact]
    public void Created_dataset_reports_the_same_info_as_describe()
    {
        var options = new SyntheticOptions { Clips = 77 };
        using var dataset = SyntheticDatasetHarness.Create(options);

        dataset.Info.Should().BeEquivalentTo(SyntheticDatasetHarness.SyntheticFactory.Describe(options, SyntheticDatasetHarness.Context()));
    }

    [Fact]
    public void Defaults_are_the_documented_ones_and_valid()
    {
        var options = new SyntheticOptions();

        options.Clips.Should().Be(4096);
        options.Seed.Should().Be(0);
        options.Split.Should().Be("train");
        options.Clutter.Should().BeTrue();
        options.CameraJitter.Should().BeTrue();
        options.Noise.Should().Be(0.02);
        options.Images.Should().BeFalse();
        Validate(options).Should().BeEmpty();
    }

    [Theory]
    [InlineData(nameof(SyntheticOptions.Clips))]
    [InlineData(nameof(SyntheticOptions.Split))]
    [InlineData(nameof(SyntheticOptions.Noise))]
    public void Invalid_option_is_reported_by_its_name(string property)
    {
        var options = property switch
        {
            nameof(SyntheticOptions.Clips) => new SyntheticOptions { Clips = 0 },
            nameof(SyntheticOptions.Split) => new SyntheticOptions { Split = "validation" },
            _ => new SyntheticOptions { Noise = 1.5 },
        };

        Validate(options).Should().ContainSingle().Which.MemberNames.Should().Equal(property);
        var create = () => SyntheticDatasetHarness.Create(options);
        create.Should().Throw<ValidationException>();
    }

    [Fact]
    public void Too_small_image_size_is_refused_naming_the_config_key()
    {
        var describe = () => SyntheticDatasetHarness.SyntheticFactory.Describe(new SyntheticOptions(), SyntheticDatasetHarness.Context(imageSize: 16));

        describe.Should().Throw<ArgumentException>().WithMessage("*Umt:Model:ImageSize*");
    }

    [Fact]
    public void Index_outside_the_dataset_is_refused()
    {
        using var dataset = SyntheticDatasetHarness.Create(new SyntheticOptions { Clips = 10 });

        dataset.Invoking(d => d.Read(10, 0)).Should().Throw<ArgumentOutOfRangeException>();
        dataset.Invoking(d => d.Read(-1, 0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    private static List<ValidationResult> Validate(SyntheticOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
