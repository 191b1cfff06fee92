using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>Stage-2 configuration mistakes are caught by <c>umt validate</c>, before any tensor, naming the paths involved.</summary>
public sealed class Stage2ValidationTests(ITestOutputHelper log)
{
    [Fact]
    public void A_caption_objective_without_a_text_encoder_names_both_paths()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--config", "configs/umt-stage2.json", "--set", "Umt:TextEncoder:Use=none");

        result.ExitCode.Should().Be(2, result.All);
        foreach (string objective in new[] { "vtc", "vtm", "mlm" })
        {
            result.Error.Should().Contain($"Umt:Objectives:{objective} needs a text encoder, but Umt:TextEncoder:Use");
        }
    }

    [Fact]
    public void An_image_dataset_of_clips_is_refused()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--config", "configs/umt-stage2.json", "--set", "Umt:ImageDataset:Options:synthetic:Images=false");

        result.ExitCode.Should().Be(2, result.All);
        result.Error.Should().Contain("Umt:ImageDataset:Options:synthetic) yields 4-frame samples; Umt:ImageDataset needs images");
    }

    [Fact]
    public void The_stage2_plan_prints_the_text_encoder_the_image_stream_and_both_maskings()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--config", "configs/umt-stage2.json");

        result.ExitCode.Should().Be(0, result.All);
        result.Output.Should().Contain("width 384, 6 layers (3 text + 3 fusion), vocabulary 30522, 16 tokens per caption")
            .And.Contain("joint space 256, temperature 0.07, student from runs/default")
            .And.Contain("128 of 256 tokens visible per clip", "the embedded recipe masks videos at 0.5 on 4 × 8 × 8 tokens")
            .And.Contain("32 of 64 tokens visible per image", "image masking 0.5 on one 8 × 8 frame")
            .And.Contain("256/epoch", "128 video and 128 image batches of 32 per epoch");
    }

    [Fact]
    public void Swapping_minilm_for_bert_is_one_word()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--config", "configs/umt-stage2.json", "--set", "Umt:TextEncoder:Use=bert");

        result.ExitCode.Should().Be(0, result.All);
        result.Output.Should().Contain("  text      bert").And.Contain("width 768, 12 layers (9 text + 3 fusion), vocabulary 30522, 32 tokens per caption");
    }

    [Fact]
    public void A_text_encoder_that_no_objective_uses_is_a_warning_and_is_not_built()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--set", "Umt:TextEncoder:Use=minilm");

        result.ExitCode.Should().Be(0, result.All);
        result.Output.Should().Contain("warning: Umt:TextEncoder:Use = minilm, but no enabled objective needs a text encoder; it is not built.");
        result.Output.Should().NotContain("  text      minilm");
    }
}
