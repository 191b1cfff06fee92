using System.Formats.Tar;
using Umt.Models.Weights;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Models.Weights;

/// <summary>Which reader <see cref="WeightFile"/> hands a file to, judged by its first bytes.</summary>
public sealed class WeightFileTests : IDisposable
{
    private readonly TemporaryDirectory folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_legacy_pickle_torch_save_file_is_named_as_such_with_advice_to_resave_it()
    {
        var path = Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "clip", "legacy.pth");

        var read = () => WeightFile.ReadStateDict(path);

        read.Should().Throw<InvalidDataException>()
            .WithMessage("*legacy.pth*legacy torch.save file*Re-save it with a recent PyTorch: torch.save(*")
            .Which.Message.Should().NotContain("safetensors");
    }

    [Fact]
    public void A_legacy_tar_torch_save_file_is_named_as_such_with_advice_to_resave_it()
    {
        var path = folder.Combine("legacy-tar.pth");
        using (var tar = new TarWriter(File.Create(path), TarEntryFormat.Gnu, leaveOpen: false))
        {
            tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "sys_info") { DataStream = new MemoryStream([0x80, 0x02, 0x2e]) });
        }

        var read = () => WeightFile.ReadStateDict(path);

        read.Should().Throw<InvalidDataException>()
            .WithMessage("*legacy-tar.pth*legacy tar-format torch.save file*Re-save it*")
            .Which.Message.Should().NotContain("safetensors");
    }
}
