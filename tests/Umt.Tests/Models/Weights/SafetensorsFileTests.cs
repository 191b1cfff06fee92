using System.Buffers.Binary;
using System.Text;
using Umt.Models.Weights;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Weights;

public sealed class SafetensorsFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("umt-safetensors-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Int16)]
    [InlineData(ScalarType.Int8)]
    [InlineData(ScalarType.Byte)]
    [InlineData(ScalarType.Bool)]
    public void Every_dtype_round_trips_bit_exactly_with_its_shape(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var written = new Dictionary<string, Tensor>
        {
            ["matrix"] = Random(dtype, [2, 3]),
            ["scalar"] = Random(dtype, []),
            ["empty"] = zeros(new long[] { 0, 4 }, dtype: dtype),
        };
        var path = Path.Combine(folder, "round-trip.safetensors");

        SafetensorsFile.Write(path, written, new Dictionary<string, string> { ["format"] = "pt" });
        var read = SafetensorsFile.Read(path);
        var header = SafetensorsFile.ReadHeader(path);

        read.Keys.Should().BeEquivalentTo(written.Keys);
        foreach (var (name, tensor) in written)
        {
            read[name].dtype.Should().Be(dtype);
            read[name].shape.Should().Equal(tensor.shape);
            read[name].bytes.ToArray().Should().Equal(tensor.bytes.ToArray(), $"'{name}' keeps its bytes");
            header.Tensors[name].DType.Should().Be(dtype);
            header.Tensors[name].Shape.Should().Equal(tensor.shape);
        }
        header.Metadata.Should().Equal(new Dictionary<string, string> { ["format"] = "pt" });
    }

    [Fact]
    public void Non_contiguous_tensors_that_need_grad_are_written_as_their_values()
    {
        using var scope = NewDisposeScope();
        var source = arange(6, dtype: ScalarType.Float32).reshape(2, 3).requires_grad_();
        var path = Path.Combine(folder, "transposed.safetensors");

        SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["t"] = source.t() });

        SafetensorsFile.Read(path)["t"].data<float>().ToArray().Should().Equal(0, 3, 1, 4, 2, 5);
    }

    [Fact]
    public void A_single_tensor_file_is_byte_identical_to_the_hand_built_layout()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(folder, "single.safetensors");

        SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["attn.0"] = arange(6, dtype: ScalarType.Float32).reshape(1, 2, 3) });

        // 64 header bytes, already a multiple of 8: no padding.
        var expected = Layout("""{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}""",
            [0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64]);
        File.ReadAllBytes(path).Should().Equal(expected);
    }

    [Fact]
    public void Mixed_dtypes_are_laid_out_widest_first_then_by_name_with_metadata_first_and_space_padding()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(folder, "mixed.safetensors");

        SafetensorsFile.Write(path,
            new Dictionary<string, Tensor>
            {
                ["a"] = tensor(new sbyte[] { 1, 2, 3 }),
                ["b"] = tensor(new[] { 1f, 2f }),
                ["c"] = tensor(new[] { 7L }),
            },
            new Dictionary<string, string> { ["format"] = "pt" });

        var expected = Layout(
            """{"__metadata__":{"format":"pt"},"c":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"a":{"dtype":"I8","shape":[3],"data_offsets":[16,19]}}""" + "       ",
            [7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 1, 2, 3]);
        File.ReadAllBytes(path).Should().Equal(expected);
    }

    [Fact]
    public void A_file_with_only_metadata_matches_the_reference_writer()
    {
        var path = Path.Combine(folder, "metadata-only.safetensors");

        SafetensorsFile.Write(path, new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["framework"] = "pt" });

        File.ReadAllBytes(path).Should().Equal(Layout("""{"__metadata__":{"framework":"pt"}}""" + "     ", []));
    }

    [Theory]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}""", 8, "*'w'*data_offsets [0, 12]*8-byte*")]
    [InlineData("""{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}""", 2, "*'w'*unknown dtype 'F8_E4M3'*")]
    [InlineData("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "*'w'*needs 12 bytes*span 8*")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "*'b'*overlap*")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 12, "*'b'*belong to no tensor*")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8, "*cover 4 bytes*holds 8*")]
    [InlineData("""{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4, "*'w'*'shape' holds -1*")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}""", 4, "*'w'*too large*")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}""", 4, "*'w'*unknown field 'extra'*")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1]}}""", 4, "*'w'*needs 'dtype', 'shape' and 'data_offsets'*")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "*'w' appears twice*")]
    [InlineData("""{"__metadata__":{"n":1}}""", 0, "*'__metadata__' entry 'n'*")]
    [InlineData("""[1, 2]""", 0, "*not a JSON object*")]
    [InlineData("""{"w":""", 0, "*not valid UTF-8 JSON*")]
    public void Headers_that_do_not_describe_the_data_exactly_are_refused(string header, int dataBytes, string message)
    {
        var path = Path.Combine(folder, "corrupt.safetensors");
        File.WriteAllBytes(path, Layout(header, new byte[dataBytes]));

        var read = () => SafetensorsFile.Read(path);

        read.Should().Throw<InvalidDataException>().WithMessage($"*{path}*").WithMessage(message);
    }

    [Fact]
    public void Truncated_files_are_refused()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(folder, "truncated.safetensors");
        SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["w"] = ones(4, 4) });
        var whole = File.ReadAllBytes(path);

        var read = () => SafetensorsFile.Read(path);

        File.WriteAllBytes(path, whole[..^1]);
        read.Should().Throw<InvalidDataException>().WithMessage("*'w'*not a range within the 63-byte data section*");
        File.WriteAllBytes(path, whole[..20]);
        read.Should().Throw<InvalidDataException>().WithMessage("*header length*exceeds the 12 bytes*");
        File.WriteAllBytes(path, whole[..5]);
        read.Should().Throw<InvalidDataException>().WithMessage("*5 bytes, fewer than the 8-byte header length*");
    }

    [Fact]
    public void A_header_that_is_not_utf8_is_refused()
    {
        var path = Path.Combine(folder, "latin1.safetensors");
        var file = Layout("""{"wX":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", [0]);
        file[8 + 3] = 0xE9;   // the 'X' becomes a Latin-1 'é', which is no UTF-8
        File.WriteAllBytes(path, file);

        var read = () => SafetensorsFile.Read(path);

        read.Should().Throw<InvalidDataException>().WithMessage("*not valid UTF-8 JSON*");
    }

    [Fact]
    public void Randomly_damaged_headers_either_read_or_fail_with_invalid_data_only()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(folder, "fuzzed.safetensors");
        SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["w"] = ones(2, 3), ["flags"] = ones(new long[] { 4 }, dtype: ScalarType.Bool) });
        var original = File.ReadAllBytes(path);
        var headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
        var random = new Random(3);
        var outcomes = new List<string>();

        for (var trial = 0; trial < 300; trial++)
        {
            var damaged = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                damaged[random.Next(headerEnd)] = (byte)random.Next(256);
            }
            File.WriteAllBytes(path, damaged);
            try
            {
                using var readScope = NewDisposeScope();
                SafetensorsFile.Read(path);
                outcomes.Add("read");
            }
            catch (InvalidDataException)
            {
                outcomes.Add("refused");
            }
        }

        outcomes.Should().Contain("refused");
    }

    [Fact]
    public void Bool_data_other_than_zero_or_one_is_refused()
    {
        var path = Path.Combine(folder, "bool.safetensors");
        File.WriteAllBytes(path, Layout("""{"flags":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}""", [1, 2]));

        var read = () => SafetensorsFile.Read(path);

        read.Should().Throw<InvalidDataException>().WithMessage("*'flags'*BOOL*");
    }

    [Fact]
    public void Tensors_without_a_safetensors_dtype_are_refused_when_writing()
    {
        using var scope = NewDisposeScope();
        var write = () => SafetensorsFile.Write(Path.Combine(folder, "complex.safetensors"),
            new Dictionary<string, Tensor> { ["z"] = zeros(new long[] { 2 }, dtype: ScalarType.ComplexFloat32) });

        write.Should().Throw<ArgumentException>().WithMessage("*'z'*ComplexFloat32*");
    }

    /// <summary>The file layout built by hand: 8-byte little-endian header length, header, data.</summary>
    private static byte[] Layout(string header, byte[] data)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + headerBytes.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)headerBytes.Length);
        headerBytes.CopyTo(file, 8);
        data.CopyTo(file, 8 + headerBytes.Length);
        return file;
    }

    private static Tensor Random(ScalarType dtype, long[] shape) => dtype switch
    {
        ScalarType.Bool => rand(shape).gt(0.5),
        ScalarType.Byte => randint(0, 256, shape).to(dtype),
        ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64 => randint(-128, 128, shape).to(dtype),
        _ => randn(shape).to(dtype),
    };
}
