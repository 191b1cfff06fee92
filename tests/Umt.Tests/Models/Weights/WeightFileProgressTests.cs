using System.Buffers.Binary;
using Umt.Models.Weights;
using Umt.Models.Weights.PyTorch;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Weights;

/// <summary>
/// The byte counts the weight readers and writers report for <c>umt convert</c>'s progress
/// (issue 19): one report per tensor, never decreasing, ending at the tensors' bytes, which are
/// counted here independently from shapes and element sizes.
/// </summary>
public sealed class WeightFileProgressTests : IDisposable
{
    private readonly TemporaryDirectory folder = new();

    public void Dispose() => folder.Dispose();

    // float32 3×5 (60 B), int64 7 (56 B), bfloat16 2×2×2 (16 B), bool 3 (3 B): 135 bytes.
    private static Dictionary<string, Tensor> Tensors() => new(StringComparer.Ordinal)
    {
        ["a.weight"] = rand(3, 5),
        ["b.index"] = arange(7L),
        ["c.half"] = ones(2, 2, 2, dtype: ScalarType.BFloat16),
        ["d.flag"] = tensor(new[] { true, false, true }),
    };

    private const long TensorBytes = 3 * 5 * 4 + 7 * 8 + 2 * 2 * 2 * 2 + 3;

    [Fact]
    public void Safetensors_write_and_read_report_every_tensor_and_end_at_the_data_bytes()
    {
        using var scope = NewDisposeScope();
        var tensors = Tensors();
        string path = folder.Combine("model.safetensors");
        var written = new List<long>();
        var read = new List<long>();

        SafetensorsFile.WriteAtomic(path, tensors, bytesWritten: written.Add);
        WeightFile.ReadStateDict(path, read.Add);

        SafetensorsFile.DataBytes(tensors).Should().Be(TensorBytes);
        foreach (var reports in new[] { written, read })
        {
            reports.Should().HaveCount(tensors.Count).And.BeInAscendingOrder();
            reports[^1].Should().Be(TensorBytes);
        }
        byte[] file = File.ReadAllBytes(path);
        long header = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        file.LongLength.Should().Be(TensorBytes + 8 + header,
            "what is counted is the file less its length prefix and header");
    }

    [Fact]
    public void Torch_save_write_and_read_report_every_tensor_and_end_at_the_data_bytes()
    {
        using var scope = NewDisposeScope();
        var tensors = Tensors().ToList();
        string path = folder.Combine("model.pth");
        var written = new List<long>();
        var read = new List<long>();

        PyTorchCheckpointWriter.Write(path, tensors, bytesWritten: written.Add);
        var back = WeightFile.ReadStateDict(path, read.Add);

        back.Keys.Should().BeEquivalentTo(tensors.Select(t => $"model.{t.Key}"));
        foreach (var reports in new[] { written, read })
        {
            reports.Should().HaveCount(tensors.Count).And.BeInAscendingOrder();
            reports[^1].Should().Be(TensorBytes);
        }
    }
}
