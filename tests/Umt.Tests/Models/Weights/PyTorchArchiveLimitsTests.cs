using System.IO.Compression;
using Umt.Models.Weights;
using Umt.Models.Weights.PyTorch;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;
using View = Umt.Tests.Models.Weights.HostileTorchArchive.View;

namespace Umt.Tests.Models.Weights;

/// <summary>
/// A small weight file must not make the reader allocate far more than the file holds: no
/// broadcast (stride 0) views, no views past their storage, no records that disagree with their
/// storage, and a cap on the bytes read out of an archive (decompressed records and tensor copies).
/// </summary>
public sealed class PyTorchArchiveLimitsTests : IDisposable
{
    private const int FloatBytes = 4;

    private readonly TemporaryDirectory folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void An_expanded_tensor_that_torch_saved_with_stride_zero_is_refused_before_it_is_materialised()
    {
        // 40000² float32 is 6.4 GB; the file torch writes for it holds one element.
        var script = folder.Combine("expand.py");
        File.WriteAllText(script, "import sys, torch\ntorch.save({'w': torch.zeros(1).expand(40000, 40000)}, sys.argv[1])\n");
        var path = folder.Combine("expanded.pth");
        var made = PythonTorch.Run(script, path);
        made.ExitCode.Should().Be(0, made.Output);
        new FileInfo(path).Length.Should().BeLessThan(2048);

        var read = () => WeightFile.ReadStateDict(path);

        read.Should().Throw<InvalidDataException>()
            .WithMessage($"*'{path}'*storage '0'*size [40000, 40000], stride [0, 0]*stride 0 on dimension 0 of size 40000*");
    }

    [Fact]
    public void A_dimension_of_size_one_may_have_stride_zero()
    {
        var path = folder.Combine("unit-dimension.pth");
        HostileTorchArchive.Write(path, [new View("w", "0", 3, 0, [1, 3], [0, 1])], new Dictionary<string, byte[]> { ["0"] = Floats(1, 2, 3) });

        using var scope = NewDisposeScope();
        var read = PyTorchCheckpoint.ReadStateDict(path);
        scope.Attach(read.Values);

        read["w"].shape.Should().Equal(1, 3);
        read["w"].data<float>().ToArray().Should().Equal(1, 2, 3);
    }

    [Theory]
    [InlineData(5, new long[] { 4 }, new long[] { 1 }, "*offset 5, size [4], stride [1]*reaches element 8 of a storage of 8 elements*")]
    [InlineData(0, new long[] { 3, 3 }, new long[] { 3, 1 }, "*reaches element 8 of a storage of 8 elements*")]
    [InlineData(0, new long[] { 4 }, new long[] { -1 }, "*negative offset, size or stride*")]
    [InlineData(-1, new long[] { 4 }, new long[] { 1 }, "*negative offset, size or stride*")]
    [InlineData(0, new long[] { 4611686018427387904, 4 }, new long[] { 4, 1 }, "*too large to address*")]
    public void A_view_that_reaches_outside_its_storage_is_refused(long offset, long[] size, long[] stride, string message)
    {
        var path = folder.Combine("outside.pth");
        HostileTorchArchive.Write(path, [new View("w", "0", 8, offset, size, stride)], new Dictionary<string, byte[]> { ["0"] = new byte[8 * FloatBytes] });

        var read = () => PyTorchCheckpoint.ReadStateDict(path);

        read.Should().Throw<InvalidDataException>().WithMessage($"*'{path}'*storage '0'*").WithMessage(message);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(4)]
    public void A_storage_record_whose_size_is_not_its_declared_elements_times_their_size_is_refused(int recordBytes)
    {
        var path = folder.Combine("mismatch.pth");
        HostileTorchArchive.Write(path, [new View("w", "0", 2, 0, [2], [1])], new Dictionary<string, byte[]> { ["0"] = new byte[recordBytes] });

        var read = () => PyTorchCheckpoint.ReadStateDict(path);

        read.Should().Throw<InvalidDataException>()
            .WithMessage($"*'{path}'*'archive/data/0' holds {recordBytes} bytes, not the 8 its 2 FloatStorage elements need*");
    }

    [Fact]
    public void A_deflated_storage_that_inflates_past_the_limit_is_refused_before_it_is_allocated()
    {
        const int elements = 8 << 20;   // 32 MiB of zeros deflate to ~32 KiB
        var path = folder.Combine("storage-bomb.pth");
        HostileTorchArchive.Write(path, [new View("w", "0", elements, 0, [elements], [1])],
            new Dictionary<string, byte[]> { ["0"] = new byte[elements * FloatBytes] }, CompressionLevel.SmallestSize);
        var limit = PyTorchCheckpoint.ByteLimit(new FileInfo(path).Length);
        limit.Should().BeLessThan(elements * FloatBytes);

        var read = () => PyTorchCheckpoint.ReadStateDict(path);

        read.Should().Throw<InvalidDataException>()
            .WithMessage($"*'{path}'*the storage record 'archive/data/0' needs {elements * FloatBytes} bytes*over the limit of {limit} bytes*");
    }

    [Fact]
    public void A_deflated_pickle_that_inflates_past_the_limit_is_refused_before_it_is_allocated()
    {
        const int bytes = 32 << 20;
        var path = folder.Combine("pickle-bomb.pth");
        HostileTorchArchive.Write(path, [], new Dictionary<string, byte[]>(), CompressionLevel.SmallestSize, pickle: new byte[bytes]);

        var read = () => PyTorchCheckpoint.ReadStateDict(path);

        read.Should().Throw<InvalidDataException>()
            .WithMessage($"*'{path}'*the record 'archive/data.pkl' needs {bytes} bytes*over the limit of*");
    }

    [Fact]
    public void Overlapping_strides_that_would_copy_far_more_than_the_storage_are_refused()
    {
        // Every stride is ≥ 1 and the view stays inside its 8000 elements, yet it has 16 million.
        var path = folder.Combine("overlap.pth");
        HostileTorchArchive.Write(path, [new View("w", "0", 8000, 0, [4000, 4000], [1, 1])], new Dictionary<string, byte[]> { ["0"] = new byte[8000 * FloatBytes] });

        var read = () => PyTorchCheckpoint.ReadStateDict(path);

        read.Should().Throw<InvalidDataException>()
            .WithMessage($"*'{path}'*copying a tensor of storage '0' (size [4000, 4000], stride [1, 1]) needs {4000L * 4000 * FloatBytes} bytes*over the limit*");
    }

    [Fact]
    public void Many_copies_of_one_storage_add_up_against_the_limit()
    {
        // Each view is a few bytes of pickle but a copy of almost the whole 4 MiB storage.
        const int elements = 1 << 20;
        var path = folder.Combine("copies.pth");
        var views = Enumerable.Range(0, 12).Select(i => new View($"w{i}", "0", elements, 1, [elements - 1], [1])).ToList();
        HostileTorchArchive.Write(path, views, new Dictionary<string, byte[]> { ["0"] = new byte[elements * FloatBytes] });

        var read = () => PyTorchCheckpoint.ReadStateDict(path);

        read.Should().Throw<InvalidDataException>().WithMessage($"*'{path}'*copying a tensor of storage '0'*over the limit*");
    }

    [Fact]
    public void A_record_whose_zip_header_understates_its_size_yields_only_the_declared_bytes()
    {
        // The reader charges the declared length; this holds only while the zip reader stops there.
        var path = folder.Combine("understated.pth");
        HostileTorchArchive.Write(path, [new View("w", "0", 2, 0, [2], [1])], new Dictionary<string, byte[]> { ["0"] = new byte[1 << 20] }, CompressionLevel.SmallestSize);
        HostileTorchArchive.DeclareUncompressedSize(path, "archive/data/0", 2 * FloatBytes);

        using (var zip = ZipFile.OpenRead(path))
        using (var record = zip.GetEntry("archive/data/0")!.Open())
        {
            var inflated = new MemoryStream();
            record.CopyTo(inflated);
            inflated.Length.Should().Be(2 * FloatBytes);
        }
        using var scope = NewDisposeScope();
        var read = PyTorchCheckpoint.ReadStateDict(path);
        scope.Attach(read.Values);
        read["w"].data<float>().ToArray().Should().Equal(0, 0);
    }

    private static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
}
