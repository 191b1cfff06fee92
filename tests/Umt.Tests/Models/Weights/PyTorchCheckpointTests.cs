using System.IO.Compression;
using TorchSharp;
using Umt.Models.Weights;
using Umt.Models.Weights.PyTorch;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Weights;

/// <summary>
/// Reads the tiny CLIP files that real PyTorch wrote (tests/fixtures/clip/make_fixtures.py) and
/// compares them tensor by tensor with the values the script recorded as safetensors.
/// </summary>
public sealed class PyTorchCheckpointTests : IDisposable
{
    private const string EvilMarker = "/tmp/umt-evil-pth-was-executed";

    private static readonly string Fixtures = Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "clip");

    private readonly TemporaryDirectory folder = new();

    public void Dispose() => folder.Dispose();

    private static string Fixture(string name) => Path.Combine(Fixtures, name);

    /// <summary>Reads a file and hands its tensors (which belong to no scope) to the test's scope.</summary>
    private static Dictionary<string, Tensor> Read(DisposeScope scope, string path)
    {
        var tensors = PyTorchCheckpoint.ReadStateDict(path);
        scope.Attach(tensors.Values);
        return tensors;
    }

    [Theory]
    [InlineData("openai.pth", "visual.")]
    [InlineData("stripped-vit.pth", "")]
    public void Fp32_state_dicts_hold_the_expected_visual_tensors_bit_exactly(string file, string prefix)
    {
        using var scope = NewDisposeScope();
        var expected = SafetensorsFile.Read(Fixture("expected-visual.safetensors"));
        var read = Read(scope, Fixture(file));

        read.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k => k[prefix.Length..])
            .Should().BeEquivalentTo(expected.Keys);
        foreach (var (name, value) in expected)
        {
            var tensor = read[prefix + name];
            tensor.dtype.Should().Be(ScalarType.Float32, name);
            tensor.shape.Should().Equal(value.shape, name);
            tensor.is_contiguous().Should().BeTrue(name);
            tensor.bytes.ToArray().Should().Equal(value.bytes.ToArray(), $"'{prefix}{name}' holds the recorded values");
        }
    }

    [Fact]
    public void The_full_openai_state_dict_has_the_text_tower_under_its_published_names()
    {
        using var scope = NewDisposeScope();
        var read = Read(scope, Fixture("openai.pth"));

        read.Keys.Should().Contain(["positional_embedding", "text_projection", "logit_scale", "token_embedding.weight",
            "ln_final.weight", "transformer.resblocks.1.attn.in_proj_weight", "visual.transformer.resblocks.1.mlp.c_proj.bias"]);
        read["logit_scale"].shape.Should().BeEmpty();
        read["logit_scale"].item<float>().Should().BeApproximately(MathF.Log(1 / 0.07f), 1e-5f);
        read["visual.conv1.weight"].shape.Should().Equal(64, 3, 8, 8);
        read["visual.positional_embedding"].shape.Should().Equal(17, 64);
        read["visual.proj"].shape.Should().Equal(64, 32);
        read.Keys.Should().NotContain(k => k.EndsWith("_metadata", StringComparison.Ordinal));
    }

    [Fact]
    public void The_torchscript_archive_is_flattened_to_the_state_dict_names_in_exact_fp16()
    {
        using var scope = NewDisposeScope();
        var expected16 = SafetensorsFile.Read(Fixture("expected-visual-fp16.safetensors"));
        var expected32 = SafetensorsFile.Read(Fixture("expected-visual.safetensors"));
        var read = Read(scope, Fixture("openai-jit.pt"));

        foreach (var (name, value) in expected16)
        {
            var tensor = read["visual." + name];
            tensor.dtype.Should().Be(ScalarType.Float16, name);
            tensor.shape.Should().Equal(value.shape, name);
            tensor.bytes.ToArray().Should().Equal(value.bytes.ToArray(), $"'visual.{name}' is the fp16 rounding of the fp32 value");
            // and it is that rounding of the fp32 reference: within half an fp16 ulp (2^-11 relative)
            var error = (tensor.to(ScalarType.Float32) - expected32[name]).abs();
            (error <= expected32[name].abs() * Math.Pow(2, -11) + 1e-7).all().item<bool>().Should().BeTrue(name);
        }
    }

    [Fact]
    public void The_torchscript_archive_has_the_same_tensors_as_the_state_dict_and_no_plain_attributes()
    {
        using var scope = NewDisposeScope();
        var stateDict = Read(scope, Fixture("openai.pth"));
        var read = Read(scope, Fixture("openai-jit.pt"));

        // As in OpenAI's published archives, three 0-d int64 buffers come on top of the state dict.
        read.Keys.Should().BeEquivalentTo(stateDict.Keys.Concat(["input_resolution", "context_length", "vocab_size"]));
        read["input_resolution"].dtype.Should().Be(ScalarType.Int64);
        read["input_resolution"].item<long>().Should().Be(32);
        read["context_length"].item<long>().Should().Be(8);
        read["vocab_size"].item<long>().Should().Be(50);
        // `training` flags, `_is_full_backward_hook` Nones and the int attributes of `visual` are skipped.
        read.Keys.Should().NotContain(k => k.EndsWith("training", StringComparison.Ordinal)
            || k.Contains("_is_full_backward_hook", StringComparison.Ordinal)
            || k == "visual.input_resolution" || k == "visual.output_dim");
        foreach (var (name, tensor) in stateDict)
        {
            read[name].to(ScalarType.Float32).allclose(tensor, rtol: 1e-3, atol: 1e-4).Should().BeTrue(name);
        }
    }

    [Fact]
    public void Views_sharing_one_storage_come_back_with_their_values_contiguous()
    {
        using var scope = NewDisposeScope();
        var read = Read(scope, Fixture("views.pth"));
        var baseValues = Enumerable.Range(0, 24).Select(i => (float)i).ToArray();

        read["base"].data<float>().ToArray().Should().Equal(baseValues);
        read["transposed"].shape.Should().Equal(6, 4);
        read["transposed"].data<float>().ToArray().Should().Equal(
            Enumerable.Range(0, 24).Select(i => (float)(i % 4 * 6 + i / 4)));
        read["slice"].shape.Should().Equal(2, 3);
        read["slice"].data<float>().ToArray().Should().Equal(8, 9, 10, 14, 15, 16);
        read["column"].shape.Should().Equal(4);
        read["column"].data<float>().ToArray().Should().Equal(3, 9, 15, 21);
        read["float16_transposed"].dtype.Should().Be(ScalarType.Float16);
        read["float16_transposed"].to(ScalarType.Float32).data<float>().ToArray().Should().Equal(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
        foreach (var (name, tensor) in read)
        {
            tensor.is_contiguous().Should().BeTrue(name);
            tensor.device_type.Should().Be(DeviceType.CPU);
            tensor.requires_grad.Should().BeFalse(name);
        }

        // A slice owns a compact copy: writing the base does not change it.
        read["base"].fill_(-1);
        read["slice"].data<float>().ToArray().Should().Equal(8, 9, 10, 14, 15, 16);
    }

    [Fact]
    public void Every_supported_dtype_keeps_its_type_and_values()
    {
        using var scope = NewDisposeScope();
        var read = Read(scope, Fixture("views.pth"));

        read["float16"].dtype.Should().Be(ScalarType.Float16);
        read["float16"].to(ScalarType.Float32).data<float>().ToArray().Should().Equal(0.5f, -1.25f, 65504f, (float)(Half)6.1e-5f);
        read["bfloat16"].dtype.Should().Be(ScalarType.BFloat16);
        read["bfloat16"].to(ScalarType.Float32).data<float>().ToArray().Should().Equal(
            tensor(new[] { 1.0f, -2.5f, 3.0e38f, 1.0e-3f }).to(ScalarType.BFloat16).to(ScalarType.Float32).data<float>().ToArray());
        read["float64"].data<double>().ToArray().Should().Equal(1.0 / 3.0, -1e300);
        read["int64"].data<long>().ToArray().Should().Equal(-(1L << 40), 7);
        read["int32"].data<int>().ToArray().Should().Equal(int.MinValue, int.MaxValue);
        read["uint8"].data<byte>().ToArray().Should().Equal(0, 255, 17);
        read["bool"].data<bool>().ToArray().Should().Equal(true, false, true);
        read["scalar"].shape.Should().BeEmpty();
        read["scalar"].item<float>().Should().Be(2.5f);
        read["empty"].shape.Should().Equal(0, 3);
    }

    [Theory]
    [InlineData("nested.pth")]      // protocol 2: _codecs.encode bytes, __builtin__.bytes, LONG1
    [InlineData("protocol5.pth")]   // protocol 5: FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE, SHORT_BINBYTES
    public void Nested_dicts_get_dotted_names_and_non_tensor_leaves_are_skipped(string file)
    {
        using var scope = NewDisposeScope();
        var read = Read(scope, Fixture(file));

        read.Keys.Where(k => !k.StartsWith("model.tied.", StringComparison.Ordinal))
            .Should().Equal("model.encoder.norm.weight", "model.head.bias");
        read["model.encoder.norm.weight"].data<float>().ToArray().Should().Equal(1, 2);
        read["model.head.bias"].data<float>().ToArray().Should().Equal(3);
    }

    [Fact]
    public void A_tensor_stored_under_two_names_comes_back_under_both()
    {
        using var scope = NewDisposeScope();
        var read = Read(scope, Fixture("protocol5.pth"));

        read["model.tied.a"].data<double>().ToArray().Should().Equal(4, 5);
        read["model.tied.b"].data<double>().ToArray().Should().Equal(4, 5);
        read["model.tied.a"].Should().NotBeSameAs(read["model.tied.b"], "each name gets its own handle, so each can be disposed");
    }

    [Fact]
    public void The_tensors_outlive_the_callers_dispose_scope()
    {
        Dictionary<string, Tensor> read;
        using (NewDisposeScope())
        {
            read = PyTorchCheckpoint.ReadStateDict(Fixture("views.pth"));
        }

        read["slice"].data<float>().ToArray().Should().Equal(8, 9, 10, 14, 15, 16);
        foreach (var tensor in read.Values)
        {
            tensor.Dispose();
        }
    }

    [Fact]
    public void A_reference_training_checkpoint_with_its_argparse_namespace_reads_as_data()
    {
        // torch.save({"model": ..., "optimizer": ..., "epoch": 3, "args": argparse.Namespace(...)}) as the reference's trainer writes it.
        var read = PyTorchCheckpoint.ReadStateDict(Fixture("reference-checkpoint.pth"));

        read.Keys.Should().BeEquivalentTo(["model.encoder.norm.weight", "model.clip_decoder.0.head.bias", "optimizer.state.0.exp_avg"],
            "the Namespace's options (strings, numbers) are no tensors; the optimizer's int-keyed state keeps its path");
        read["model.encoder.norm.weight"].data<float>().ToArray().Should().Equal(1, 2);
        read["optimizer.state.0.exp_avg"].data<float>().ToArray().Should().Equal(0.5f, 0.25f);
        foreach (var tensor in read.Values)
        {
            tensor.Dispose();
        }
    }

    [Fact]
    public void A_pickle_that_names_posix_system_is_refused_without_running_it()
    {
        File.Delete(EvilMarker);

        var act = () => PyTorchCheckpoint.ReadStateDict(Fixture("evil.pth"));

        var error = act.Should().Throw<UnsafePickleException>().Which;
        error.Message.Should().Contain("posix.system").And.Contain("nothing was executed").And.Contain("evil.pth");
        error.Module.Should().Be("posix");
        error.Name.Should().Be("system");
        File.Exists(EvilMarker).Should().BeFalse("the payload `echo pwned > marker` never ran");
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'c', (byte)'b', (byte)'u', (byte)'i', (byte)'l', (byte)'t', (byte)'i', (byte)'n', (byte)'s', (byte)'\n',
        (byte)'e', (byte)'v', (byte)'a', (byte)'l', (byte)'\n', 0x58, 1, 0, 0, 0, (byte)'1', 0x85, 0x52, 0x2e }, "builtins.eval")]
    [InlineData(new byte[] { 0x80, 0x04, 0x8c, 0x02, (byte)'o', (byte)'s', 0x8c, 0x06, (byte)'s', (byte)'y', (byte)'s', (byte)'t', (byte)'e', (byte)'m',
        0x93, 0x8c, 0x01, (byte)'x', 0x85, 0x52, 0x2e }, "os.system")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'c', (byte)'t', (byte)'o', (byte)'r', (byte)'c', (byte)'h', (byte)'.', (byte)'_', (byte)'u', (byte)'t', (byte)'i', (byte)'l', (byte)'s', (byte)'\n',
        (byte)'_', (byte)'r', (byte)'e', (byte)'b', (byte)'u', (byte)'i', (byte)'l', (byte)'d', (byte)'_', (byte)'q', (byte)'t', (byte)'e', (byte)'n', (byte)'s', (byte)'o', (byte)'r', (byte)'\n', 0x2e },
        "torch._utils._rebuild_qtensor")]
    public void Any_global_outside_the_allow_list_is_refused_by_name(byte[] pickle, string global)
    {
        var path = WriteArchive("refused.pth", pickle);

        var act = () => PyTorchCheckpoint.ReadStateDict(path);

        act.Should().Throw<UnsafePickleException>().WithMessage($"*'{global}'*nothing was executed*");
    }

    [Fact]
    public void A_truncated_archive_is_reported_with_its_path()
    {
        var path = folder.Combine("truncated.pth");
        var bytes = File.ReadAllBytes(Fixture("openai.pth"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var act = () => PyTorchCheckpoint.ReadStateDict(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*'{path}'*truncated or corrupt*");
    }

    [Fact]
    public void A_truncated_pickle_is_reported_with_its_path()
    {
        var path = WriteArchive("short-pickle.pth", [0x80, 0x02, 0x7d, 0x71, 0x00, 0x28, 0x58, 0x05, 0x00]);

        var act = () => PyTorchCheckpoint.ReadStateDict(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*'{path}'*data.pkl*truncated*");
    }

    [Fact]
    public void A_storage_record_shorter_than_its_tensor_is_reported()
    {
        var path = folder.Combine("short-storage.pth");
        using (var source = ZipFile.OpenRead(Fixture("views.pth")))
        using (var target = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var entry in source.Entries)
            {
                using var input = entry.Open();
                using var output = target.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                var data = new MemoryStream();
                input.CopyTo(data);
                output.Write(data.ToArray().AsSpan(0, entry.FullName == "views/data/0" ? 10 : (int)data.Length));
            }
        }

        var act = () => PyTorchCheckpoint.ReadStateDict(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*'{path}'*'views/data/0' holds 10 bytes*");
    }

    [Fact]
    public void A_legacy_torch_save_file_is_refused_with_advice_to_resave_it()
    {
        var act = () => PyTorchCheckpoint.ReadStateDict(Fixture("legacy.pth"));

        act.Should().Throw<InvalidDataException>().WithMessage("*legacy.pth*legacy torch.save file*Re-save it with a recent PyTorch*");
    }

    [Fact]
    public void A_file_that_is_no_pytorch_archive_is_refused()
    {
        var act = () => PyTorchCheckpoint.ReadStateDict(Fixture("expected-visual.safetensors"));

        act.Should().Throw<InvalidDataException>().WithMessage("*expected-visual.safetensors*not a PyTorch zip archive*");
    }

    private string WriteArchive(string name, byte[] pickle)
    {
        var path = folder.Combine(name);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var stream = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open())
        {
            stream.Write(pickle);
        }
        return path;
    }
}
