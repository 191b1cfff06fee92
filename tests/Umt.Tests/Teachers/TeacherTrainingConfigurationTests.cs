using Xunit.Abstractions;

namespace Umt.Tests.Teachers;

/// <summary>
/// <c>Umt:TeacherTraining</c> is bound strictly: unknown keys, wrong types and broken rules exit 2
/// with one readable message naming the configuration path, before anything is trained.
/// </summary>
public sealed class TeacherTrainingConfigurationTests(ITestOutputHelper log)
{
    private static void ShouldBeConfigurationError(TestSupport.Umt.Result result)
    {
        result.ExitCode.Should().Be(2, result.All);
        result.Error.Should().StartWith("umt: configuration error:");
        result.All.Should().NotContain("   at ", "a configuration error prints no stack trace");
    }

    [Fact]
    public void Unknown_key_names_its_path_and_suggests_the_closest()
    {
        var result = TestSupport.Umt.Run(log, "teacher", "train", "--config", "configs/teacher-tiny-clip.json", "--set", "Umt:TeacherTraining:Stepz=5");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:TeacherTraining:Stepz is not a known option").And.Contain("Did you mean 'Steps'?");
    }

    [Fact]
    public void Wrong_types_are_all_reported_with_their_paths()
    {
        var result = TestSupport.Umt.Run(log, "teacher", "train", "--config", "configs/teacher-tiny-clip.json",
            "--set", "Umt:TeacherTraining:Lr=fast", "--set", "Umt:TeacherTraining:Steps=many");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:TeacherTraining:Lr must be a number, got 'fast'")
            .And.Contain("Umt:TeacherTraining:Steps must be a whole number, got 'many'");
    }

    [Fact]
    public void Out_of_range_value_names_the_path_the_range_and_the_value()
    {
        var result = TestSupport.Umt.Run(log, "teacher", "train", "--config", "configs/teacher-tiny-clip.json", "--set", "Umt:TeacherTraining:BatchSize=1");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:TeacherTraining:BatchSize must be in [2, 65536], got 1");
    }

    [Fact]
    public void Cross_field_rules_name_the_path()
    {
        var result = TestSupport.Umt.Run(log, "teacher", "train", "--config", "configs/teacher-tiny-clip.json",
            "--set", "Umt:TeacherTraining:ImageSize=60", "--set", "Umt:TeacherTraining:VisionHeads=3");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:TeacherTraining:ImageSize must be a multiple of PatchSize (8), got 60")
            .And.Contain("Umt:TeacherTraining:VisionHeads (3) must divide VisionWidth (128)");
    }

    [Fact]
    public void Eval_binds_the_same_section()
    {
        var result = TestSupport.Umt.Run(log, "teacher", "eval", "--set", "Umt:TeacherTraining:Outptu=x.safetensors");

        ShouldBeConfigurationError(result);
        result.Error.Should().Contain("Umt:TeacherTraining:Outptu is not a known option").And.Contain("Did you mean 'Output'?");
    }
}
