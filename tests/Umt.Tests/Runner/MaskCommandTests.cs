using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Umt.Models.Clip;
using Umt.Models.Weights;
using Umt.Runner.Workflows.Visualization;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary><c>umt mask</c>: figures and masks of the configured strategy on one clip, and the PNG encoder behind them.</summary>
public sealed class MaskCommandTests(ITestOutputHelper log)
{
    [Fact]
    public void Semantic_masks_keep_the_exact_count_per_frame_and_frequencies_follow_from_the_masks()
    {
        using var dir = new TemporaryDirectory();
        string teacher = dir.Combine("tiny-random.safetensors");
        using (var visual = new ClipVisionTransformer(ClipVisionConfig.Tiny))
        {
            SafetensorsFile.Write(teacher, visual.state_dict().ToDictionary(kv => "visual." + kv.Key, kv => kv.Value));
        }
        string output = dir.Combine("out");

        var result = TestSupport.Umt.Run(log, "mask", "--draws", "50", "--out", output,
            "--set", "Umt:Teacher:Use=tiny-clip", "--set", $"Umt:Teacher:Options:tiny-clip:Weights={teacher}",
            "--set", "Umt:Masking:Use=semantic", "--set", "Umt:Masking:Options:semantic:Ratio=0.8");

        result.ExitCode.Should().Be(0, result.All);
        using var scope = NewDisposeScope();
        var tensors = SafetensorsFile.Read(Path.Combine(output, "masks.safetensors"));
        var masks = tensors["masks"];                                             // [draws, N] uint8, 1 = hidden
        masks.shape.Should().Equal(50, 8 * 64);
        var visiblePerFrame = (1 - masks.to(ScalarType.Int64)).reshape(50, 8, 64).sum(-1); // [draws, T]
        visiblePerFrame.eq(64 - (int)(64 * 0.8)).all().item<bool>().Should().BeTrue("every frame keeps P − int(P·Ratio) = 13 visible tokens");
        masks.to(ScalarType.Float32).std([0]).sum().item<float>().Should().BeGreaterThan(0, "draws are keyed by step, so they differ");
        var frequency = tensors["visible_frequency"];
        MaxDifference(frequency, (1 - masks.to(ScalarType.Float32)).mean([0])).Should().BeLessThan(1e-6);
        tensors["attention"].shape.Should().Equal(8, 64);                        // [T, P]
        foreach (string png in new[] { "frames.png", "visible-frequency.png", "attention.png" })
        {
            File.ReadAllBytes(Path.Combine(output, png)).Take(8).Should().Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png);
        }
    }

    [Fact]
    public void Png_writer_emits_valid_chunks_whose_pixels_decode_back()
    {
        using var dir = new TemporaryDirectory();
        string path = dir.Combine("tiny.png");
        byte[] rgb = Enumerable.Range(0, 3 * 2 * 3).Select(i => (byte)(i * 13)).ToArray(); // 3×2 pixels

        PngWriter.Write(path, 3, 2, rgb);

        var bytes = File.ReadAllBytes(path);
        var chunks = ReadChunks(bytes.AsSpan(8).ToArray());
        chunks.Select(c => c.Type).Should().Equal("IHDR", "IDAT", "IEND");
        BinaryPrimitives.ReadInt32BigEndian(chunks[0].Data).Should().Be(3);
        BinaryPrimitives.ReadInt32BigEndian(chunks[0].Data.AsSpan(4)).Should().Be(2);
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(chunks[1].Data), CompressionMode.Decompress))
        {
            zlib.CopyTo(inflated);
        }
        var rows = inflated.ToArray();
        rows.Should().HaveCount(2 * (1 + 9), "each row is a filter byte and 3 RGB pixels");
        rows[0].Should().Be(0);
        rows.Skip(1).Take(9).Should().Equal(rgb.Take(9));
        rows.Skip(11).Take(9).Should().Equal(rgb.Skip(9));
    }

    [Fact]
    public void Crc32_matches_the_png_specification_check_values()
    {
        // CRC-32 of "123456789" is 0xCBF43926 (ISO 3309 check value); an empty IEND chunk's CRC is 0xAE426082.
        (PngWriter.Crc32(Encoding.ASCII.GetBytes("123456789")) ^ 0xFFFFFFFF).Should().Be(0xCBF43926);
        (PngWriter.Crc32(Encoding.ASCII.GetBytes("IEND")) ^ 0xFFFFFFFF).Should().Be(0xAE426082);
    }

    private static List<(string Type, byte[] Data)> ReadChunks(byte[] bytes)
    {
        var chunks = new List<(string, byte[])>();
        for (int at = 0; at < bytes.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            string type = Encoding.ASCII.GetString(bytes, at + 4, 4);
            byte[] data = bytes.AsSpan(at + 8, length).ToArray();
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 8 + length));
            (PngWriter.Crc32(data, PngWriter.Crc32(Encoding.ASCII.GetBytes(type))) ^ 0xFFFFFFFF).Should().Be(crc, $"{type} CRC");
            chunks.Add((type, data));
            at += 12 + length;
        }
        return chunks;
    }

    private static double MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();
}
