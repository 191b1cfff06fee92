using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>
/// Counts on the command line are checked when the line is parsed: zero or a negative number of
/// steps, clips, batches or views is a usage error (exit 2) naming the option, its bound and the
/// value, before any configuration is read or any file touched. Each case also carries a
/// configuration error, so a bound that is not checked shows up as the wrong message.
/// </summary>
public sealed class CommandLineBoundsTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("--stop-after", 1, new[] { "train", "--stop-after", "0" })]
    [InlineData("--stop-after", 1, new[] { "train", "--stop-after", "-3" })]
    [InlineData("--steps", 1, new[] { "finetune", "--checkpoint", "runs/none", "--steps", "0" })]
    [InlineData("--epochs", 1, new[] { "finetune", "--checkpoint", "runs/none", "--epochs", "-1" })]
    [InlineData("--warmup-steps", 0, new[] { "finetune", "--checkpoint", "runs/none", "--warmup-steps", "-1" })]
    [InlineData("--batch", 1, new[] { "finetune", "--checkpoint", "runs/none", "--batch", "0" })]
    [InlineData("--train", 1, new[] { "finetune", "--checkpoint", "runs/none", "--train", "0" })]
    [InlineData("--test-clips", 1, new[] { "finetune", "--checkpoint", "runs/none", "--test-clips", "0" })]
    [InlineData("--test", 1, new[] { "eval", "probe", "--checkpoint", "runs/none", "--test", "-5" })]
    [InlineData("--knn", 1, new[] { "eval", "probe", "--checkpoint", "runs/none", "--knn", "0" })]
    [InlineData("--rerank", 0, new[] { "eval", "retrieval", "--checkpoint", "runs/none", "--rerank", "-1" })]
    [InlineData("--batch", 1, new[] { "extract", "--checkpoint", "runs/none", "--out", "runs/none-features", "--batch", "0" })]
    [InlineData("--steps", 1, new[] { "bench", "--steps", "0" })]
    [InlineData("--draws", 1, new[] { "mask", "--out", "runs/none-masks", "--draws", "0" })]
    public void A_count_below_its_bound_is_a_usage_error_naming_the_option(string option, int minimum, string[] args)
    {
        string value = args[Array.IndexOf(args, option) + 1];

        var result = TestSupport.Umt.Run(log, [.. args, "--set", "Umt:NoSuchSection=1"]);

        result.ExitCode.Should().Be(2, result.All);
        result.Error.Should().Contain($"{option} must be at least {minimum}, got {value}.")
            .And.NotContain("NoSuchSection", "the count is refused before the configuration is read");
    }

    [Fact]
    public void A_count_at_its_bound_is_accepted()
    {
        var result = TestSupport.Umt.Run(log, "train", "--stop-after", "1", "--set", "Umt:NoSuchSection=1");

        result.ExitCode.Should().Be(2, result.All);
        result.Error.Should().Contain("Umt:NoSuchSection is not a known section").And.NotContain("--stop-after");
    }
}
