using Umt.Models.Clip;
using Umt.Models.Weights;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary>
/// <c>umt validate</c> on UMT configurations (pinned here: the tiny student, depth 6, 8 frames of
/// 64², patch 8, tubelet 1, tube masking) with a <c>clip</c> teacher read from a tiny random CLIP
/// written here in OpenAI's full layout (width 16, 2 blocks, patch 8): every incompatibility is
/// exit code 2 with a message naming the configuration paths involved, before any tensor of the
/// run is allocated.
/// </summary>
public sealed class UmtValidationTests(ITestOutputHelper log) : IDisposable
{
    private const string Alignment = "Umt:Objectives:umt-alignment";

    /// <summary>The student and masking every case starts from, whatever plugins.json says.</summary>
    private static readonly string[] Baseline =
    [
        "--set", "Umt:Model:Preset=tiny", "--set", "Umt:Model:Frames=8", "--set", "Umt:Model:ImageSize=64",
        "--set", "Umt:Model:PatchSize=8", "--set", "Umt:Model:Tubelet=1", "--set", "Umt:Masking:Use=tube",
    ];

    private readonly TemporaryDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_consistent_umt_configuration_is_valid_and_shows_the_teacher_and_the_aligned_blocks()
    {
        var result = Validate(WithClipTeacher(TinyClip(), "--set", $"{Alignment}:Options:Layers=2"));

        result.ExitCode.Should().Be(0, result.All);
        result.Output.Should().Contain("teacher   clip")
            .And.Contain("depth 2, 8×8 tokens/frame, width 8, layers [0, 1]")
            .And.Contain("objective umt-alignment")
            .And.Contain("reads student blocks [4, 5], 2 teacher layers");
    }

    [Fact]
    public void Layers_deeper_than_the_student_names_the_option()
    {
        var result = Validate(WithClipTeacher(TinyClip(), "--set", $"{Alignment}:Options:Layers=7"));

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain($"{Alignment}:Options:Layers = 7 exceeds the student's depth 6");
    }

    [Fact]
    public void Layers_deeper_than_the_teacher_names_the_option_and_the_teacher()
    {
        var result = Validate(WithClipTeacher(TinyClip(), "--set", $"{Alignment}:Options:Layers=3"));

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain($"{Alignment}:Options:Layers = 3 exceeds the depth 2 of the teacher 'clip'")
            .And.Contain("Umt:Teacher:Use")
            .And.NotContain("student's depth", "3 blocks fit the depth-6 student");
    }

    [Fact]
    public void A_teacher_grid_unlike_the_students_names_the_teacher_options_and_the_image_size()
    {
        // 48 / patch 8 = 6×6 teacher tokens against the student's 64 / 8 = 8×8.
        var result = Validate(WithClipTeacher(TinyClip(), "--set", $"{Alignment}:Options:Layers=2", "--set", "Umt:Teacher:Options:clip:InputResolution=48"));

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Teacher:Options:clip")
            .And.Contain("Umt:Model:ImageSize")
            .And.Contain("6×6")
            .And.Contain("8×8");
    }

    [Fact]
    public void Semantic_masking_with_tubelet_2_names_the_masking_and_the_tubelet()
    {
        string weights = TinyClip();
        var result = Validate(WithClipTeacher(weights, "--set", $"{Alignment}:Options:Layers=2", "--set", "Umt:Masking:Use=semantic", "--set", "Umt:Model:Tubelet=2"));
        var perFrame = Validate(WithClipTeacher(weights, "--set", $"{Alignment}:Options:Layers=2", "--set", "Umt:Masking:Use=semantic"));

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Masking:Use = semantic").And.Contain("Umt:Model:Tubelet = 1, got 2");
        perFrame.ExitCode.Should().Be(0, "with tubelet 1 the same configuration is valid: " + perFrame.All);
        perFrame.Output.Should().Contain("masking   semantic");
    }

    [Fact]
    public void Alignment_without_a_teacher_names_the_objective_and_the_teacher_choice()
    {
        var result = Validate("--set", $"{Alignment}:Weight=1", "--set", $"{Alignment}:Options:Layers=2", "--set", "Umt:Teacher:Use=none");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain($"{Alignment} needs a teacher, but Umt:Teacher:Use is 'none'");
    }

    [Fact]
    public void A_preset_that_the_weight_file_does_not_hold_is_refused_naming_the_file()
    {
        string weights = TinyClip();
        var result = Validate(WithClipTeacher(weights, "--set", $"{Alignment}:Options:Layers=2", "--set", "Umt:Teacher:Options:clip:Preset=b16"));

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Teacher:Options:clip")
            .And.Contain(weights)
            .And.Contain("width 16, 2 layers")
            .And.Contain("width 768, 12 layers");
    }

    [Fact]
    public void A_missing_weight_file_is_reported_with_the_options_path()
    {
        string missing = temp.Combine("no-such-clip.safetensors");
        var result = Validate(WithClipTeacher(missing, "--set", $"{Alignment}:Options:Layers=2"));

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Teacher:Options:clip").And.Contain(missing);
    }

    [Fact]
    public void A_clip_teacher_without_weights_names_the_weights_option()
    {
        var result = Validate(WithClipTeacher("", "--set", $"{Alignment}:Options:Layers=2"));

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Teacher:Options:clip:Weights");
    }

    [Fact]
    public void Heads_that_do_not_divide_the_width_name_both_paths_and_the_valid_head_counts()
    {
        var result = Validate("--set", "Umt:Model:Heads=5");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Model:Heads = 5 does not divide Umt:Model:Width = 192 (preset 'tiny')")
            .And.Contain("1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 192");
    }

    [Fact]
    public void A_width_that_the_presets_heads_do_not_divide_names_both_paths()
    {
        var result = Validate("--set", "Umt:Model:Width=200");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Model:Heads = 3 (preset 'tiny') does not divide Umt:Model:Width = 200")
            .And.Contain("1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 200");
    }

    [Fact]
    public void Train_refuses_heads_that_do_not_divide_the_width_before_building_anything()
    {
        var result = TestSupport.Umt.Run(log, ["train", .. Baseline, "--set", "Umt:Model:Heads=5", "--set", $"Umt:Run:OutputDir={temp.Combine("run")}"]);

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Model:Heads = 5 does not divide Umt:Model:Width = 192");
        Directory.Exists(temp.Combine("run")).Should().BeFalse("nothing is written before the configuration is valid");
    }

    [Fact]
    public void Custom_clip_heads_that_do_not_divide_the_towers_width_name_the_option_and_the_file()
    {
        string weights = TinyClip();
        var result = Validate(WithClipTeacher(weights, "--set", $"{Alignment}:Options:Layers=2", "--set", "Umt:Teacher:Options:clip:Heads=3"));

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Teacher:Options:clip").And.Contain("Heads 3").And.Contain("width 16").And.Contain(weights)
            .And.Contain("1, 2, 4, 8, 16");
    }

    [Fact]
    public void A_teacher_precision_outside_auto_fp32_bf16_names_the_option_and_the_choices()
    {
        var result = Validate(WithClipTeacher(TinyClip(), "--set", $"{Alignment}:Options:Layers=2", "--set", "Umt:Teacher:Options:clip:Precision=fp16"));

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:Teacher:Options:clip").And.Contain("Precision").And.Contain("'auto', 'fp32' or 'bf16'");
    }

    private static void ShouldBeConfigurationError(TestSupport.Umt.Result result)
    {
        result.ExitCode.Should().Be(2, result.All);
        result.Error.Should().StartWith("umt: configuration error:");
        result.All.Should().NotContain("   at ", "a configuration error prints no stack trace");
    }

    private TestSupport.Umt.Result Validate(params string[] args) => TestSupport.Umt.Run(log, ["validate", .. Baseline, .. args]);

    /// <summary>The settings that select the <c>clip</c> teacher (Preset custom) on <paramref name="weights"/> and turn umt-alignment on.</summary>
    private static string[] WithClipTeacher(string weights, params string[] more) =>
    [
        "--set", "Umt:Teacher:Use=clip",
        "--set", "Umt:Teacher:Options:clip:Preset=custom",
        "--set", $"Umt:Teacher:Options:clip:Weights={weights}",
        "--set", $"{Alignment}:Weight=1",
        .. more,
    ];

    /// <summary>A random CLIP vision tower (width 16, 2 blocks, patch 8, 8×8 positions, output 8) saved as OpenAI's full layout (<c>visual.*</c>).</summary>
    private string TinyClip()
    {
        using var scope = NewDisposeScope();
        using var tower = new ClipVisionTransformer(new ClipVisionConfig(Width: 16, Layers: 2, Heads: 1, PatchSize: 8, GridSide: 8, OutputWidth: 8));
        string path = temp.Combine("tiny-clip.safetensors");
        SafetensorsFile.Write(path, tower.state_dict().ToDictionary(p => "visual." + p.Key, p => p.Value));
        return path;
    }
}
