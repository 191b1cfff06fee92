using Umt.Plugins.Datasets.Cc3m;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Datasets.Media;

/// <summary>A manifest without a usable row is a configuration error naming it, wherever the run is planned.</summary>
public sealed class EmptyManifestTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("", "no usable rows")]
    [InlineData("\n\n", "no usable rows")]
    [InlineData("a caption\tone.jpg\textra\n", "line 1: expected 2 tab-separated fields")]
    public void A_manifest_without_usable_rows_is_an_error_naming_it(string text, string message)
    {
        using var temp = new TemporaryDirectory();
        File.WriteAllText(temp.Combine("list.tsv"), text);
        var factory = MediaFixtures.Factory("cc3m");

        var error = factory.Invoking(f => f.Describe(new Cc3mOptions { Manifest = temp.Combine("list.tsv"), Root = temp.Path }, MediaFixtures.Context(1, 32, temp.Path)))
            .Should().Throw<InvalidDataException>().Which;

        log.WriteLine(error.Message);
        error.Message.Should().Contain(temp.Combine("list.tsv")).And.Contain("no usable rows").And.Contain(message);
    }

    [Fact]
    public void Data_verify_on_an_empty_manifest_exits_with_a_configuration_error()
    {
        using var temp = new TemporaryDirectory();
        File.WriteAllText(temp.Combine("empty.txt"), "");

        var result = TestSupport.Umt.Run(log, "data", "verify", temp.Combine("empty.txt"), "--root", temp.Path, "--dataset", "kinetics");

        result.ExitCode.Should().Be(2, "an empty manifest is a configuration error, not a verified corpus");
        result.Error.Should().Contain(temp.Combine("empty.txt")).And.Contain("no usable rows").And.NotContain("   at ", "no stack trace");
    }
}
