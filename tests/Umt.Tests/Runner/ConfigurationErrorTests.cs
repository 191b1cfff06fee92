using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>Configuration errors: exit code 2, one readable message naming the configuration path, no stack trace.</summary>
public sealed class ConfigurationErrorTests(ITestOutputHelper log)
{
    private static void ShouldBeConfigurationError(TestSupport.Umt.Result result)
    {
        result.ExitCode.Should().Be(2);
        result.Error.Should().StartWith("umt: configuration error:");
        result.All.Should().NotContain("   at ", "a configuration error prints no stack trace");
    }

    [Fact]
    public void Unknown_masking_strategy_lists_the_names_and_suggests_the_closest()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--set", "Umt:Masking:Use=tub");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Masking:Use").And.Contain("'tub'").And.Contain("random").And.Contain("tube").And.Contain("Did you mean 'tube'?");
    }

    [Fact]
    public void Unknown_option_key_names_its_path_and_the_valid_keys()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--set", "Umt:Masking:Options:semantic:Ratoi=0.5");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Masking:Options:semantic:Ratoi is not a known option").And.Contain("Did you mean 'Ratio'?");
    }

    [Fact]
    public void Wrong_type_names_the_path_and_the_expected_type()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--set", "Umt:Run:BatchSize=many");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Run:BatchSize must be a whole number, got 'many'");
    }

    [Fact]
    public void Out_of_range_value_names_the_path_the_range_and_the_value()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--set", "Umt:Masking:Options:semantic:Ratio=1.5");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Masking:Options:semantic:Ratio must be in [0, 1), got 1.5");
    }

    [Fact]
    public void All_errors_are_reported_at_once()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--set", "Umt:Run:BatchSize=0", "--set", "Umt:Optimizer:Eps=-1", "--set", "Umt:Model:Frames=zero");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Run:BatchSize must be in [1, 65536], got 0")
            .And.Contain("Umt:Model:Frames must be a whole number, got 'zero'");
        result.Error.Should().Contain("Umt:Optimizer:Eps must be in (0, 1], got -1");
    }

    [Fact]
    public void Unknown_objective_is_an_error_listing_the_objectives()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--set", "Umt:Objectives:mae-pixel:Weight=1");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Objectives:mae-pixel").And.Contain("mae-pixels").And.Contain("Did you mean 'mae-pixels'?");
    }

    [Fact]
    public void Geometry_rule_names_both_keys()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--set", "Umt:Model:ImageSize=60");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Model:ImageSize must be a multiple of Umt:Model:PatchSize (8), got 60");
    }

    [Fact]
    public void A_dataset_whose_samples_do_not_fit_the_student_names_both_keys()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--set", "Umt:Dataset:Options:synthetic:Images=true");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Dataset:Options:synthetic").And.Contain("yields 1-frame samples").And.Contain("Umt:Model:Frames");
    }

    [Fact]
    public void Missing_overlay_file_is_a_configuration_error()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--config", "configs/does-not-exist.json");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("--config configs/does-not-exist.json: file not found");
    }

    [Fact]
    public void Unknown_verb_is_a_usage_error_with_exit_code_2()
    {
        var result = TestSupport.Umt.Run(log, "trian");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("trian");
    }

    [Fact]
    public void Overlays_apply_in_order_and_set_wins_over_all_files()
    {
        using var temp = new TemporaryDirectory();
        File.WriteAllText(temp.Combine("a.json"), """{ "Umt": { "Run": { "Steps": 5, "BatchSize": 3 } } }""");
        File.WriteAllText(temp.Combine("b.json"), """{ "Umt": { "Run": { "Steps": 7 } } }""");

        var layered = TestSupport.Umt.Run(log, "validate", "--config", temp.Combine("a.json"), "--config", temp.Combine("b.json"));
        var overridden = TestSupport.Umt.Run(log, "validate", "--config", temp.Combine("a.json"), "--config", temp.Combine("b.json"), "--set", "Umt:Run:Steps=9");

        layered.ExitCode.Should().Be(0);
        layered.Output.Should().Contain("schedule  7 steps").And.Contain("batch 3 ×", "the second overlay overrides only the keys it names");
        overridden.Output.Should().Contain("schedule  9 steps");
    }

    [Fact]
    public void Validate_prints_the_resolved_plugin_graph_with_bound_options()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--set", "Umt:Masking:Use=random", "--set", "Umt:Masking:Options:random:Ratio=0.75");

        result.ExitCode.Should().Be(0, result.All);
        result.Output.Should().Contain("masking   random (Umt.Plugins.Masking.dll) {\"Ratio\":0.75}")
            .And.Contain("128 of 512 tokens visible per clip")
            .And.Contain("objective umt-alignment × 1 (Umt.Plugins.Objectives.dll)")
            .And.Contain("teacher   tiny-clip (Umt.Plugins.Teachers.dll)")
            .And.Contain("depth 6, 8×8 tokens/frame, width 128, layers [3, 4, 5]")
            .And.Contain("reads student blocks [3, 4, 5], 3 teacher layers");
    }
}
