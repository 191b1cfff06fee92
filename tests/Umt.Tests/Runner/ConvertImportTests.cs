using Umt.Models.Weights;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Runner;

/// <summary>
/// <c>umt convert import</c> on reference-layout checkpoints written by real PyTorch
/// (tests/fixtures/reference/make_fixtures.py): every tensor lands under the expected name with
/// its values, wrappers and prefixes are handled, and nothing is dropped without being listed.
/// </summary>
public sealed class ConvertImportTests(ITestOutputHelper log) : IDisposable
{
    internal static readonly string Fixtures = Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "reference");

    // The fixtures' student: width 32, depth 2, 4 frames of 32² in patches of 8; K = 1.
    internal static readonly string[] TinyStudent =
    [
        "--set", "Umt:Model:Width=32", "--set", "Umt:Model:Depth=2", "--set", "Umt:Model:Heads=2", "--set", "Umt:Model:Frames=4",
        "--set", "Umt:Model:ImageSize=32", "--set", "Umt:Model:PatchSize=8", "--set", "Umt:Objectives:umt-alignment:Options:Layers=1",
    ];

    private readonly TemporaryDirectory temp = new();

    [Theory]
    [InlineData("umt-stage1.pth")]
    [InlineData("umt-stage1-ddp.pth")]
    public void A_stage1_checkpoint_wrapped_under_model_or_prefixed_by_ddp_imports_every_tensor(string file)
    {
        string output = temp.Combine("model.safetensors");

        var result = TestSupport.Umt.Run(log, ["convert", "import", Path.Combine(Fixtures, file), "--out", output, .. TinyStudent]);

        result.ExitCode.Should().Be(0, result.All);
        ShouldHoldExpected(output, "stage1/", expectedCount: 2 + 2 * 13 + 2 + 4);
        if (file == "umt-stage1.pth")
        {
            result.Output.Should().Contain("not model weights (skipped): 2").And.Contain("optimizer.state.0.exp_avg").And.Contain("scaler.scale",
                "the training checkpoint's other entries are listed, not silently dropped");
        }
    }

    [Fact]
    public void A_wrong_shaped_key_is_reported_with_both_shapes_and_nothing_is_written()
    {
        string output = temp.Combine("model.safetensors");

        var result = TestSupport.Umt.Run(log, ["convert", "import", Path.Combine(Fixtures, "umt-stage1-wrong.pth"), "--out", output, .. TinyStudent]);

        result.ExitCode.Should().Be(2, result.All);
        result.Error.Should().Contain("clip_decoder.0.head.weight: model [128, 32], file [128, 33]");
        File.Exists(output).Should().BeFalse();
    }

    [Fact]
    public void A_stage2_checkpoint_is_unnested_its_teacher_listed_and_the_missing_text_encoder_named()
    {
        string output = temp.Combine("model.safetensors");

        var result = TestSupport.Umt.Run(log, ["convert", "import", Path.Combine(Fixtures, "umt-stage2.pth"), "--out", output, "--config", "configs/umt-stage2.json",
            .. TinyStudent, "--set", "Umt:Stage2:EmbedDim=16"]);

        result.ExitCode.Should().Be(0, result.All);
        ShouldHoldExpected(output, "stage2/", expectedCount: 2 + 2 * 13 + 2 + 4 + 2 + 2 + 1);
        result.Output.Should().Contain("vision_encoder.encoder.blocks.0.attn.qkv.weight → encoder.blocks.0.attn.qkv.weight")
            .And.Contain("the reference's embedded frozen teacher (skipped: teachers load from their own files): 1").And.Contain("clip_teacher.conv1.weight")
            .And.Contain("missing (the model keeps its initialisation)").And.Contain("text_encoder.bert.embeddings.word_embeddings.weight").And.Contain("itm_head.weight");
    }

    [Fact]
    public void A_videomae_checkpoint_puts_its_decoder_under_the_mae_pixels_head()
    {
        string output = temp.Combine("model.safetensors");

        var result = TestSupport.Umt.Run(log, ["convert", "import", Path.Combine(Fixtures, "videomae.pth"), "--out", output, "--config", "configs/videomae.json",
            .. TinyStudent, "--set", "Umt:Model:Tubelet=2", "--set", "Umt:Objectives:mae-pixels:Options:DecoderWidth=16",
            "--set", "Umt:Objectives:mae-pixels:Options:DecoderDepth=1", "--set", "Umt:Objectives:mae-pixels:Options:DecoderHeads=2"]);

        result.ExitCode.Should().Be(0, result.All);
        ShouldHoldExpected(output, "videomae/", expectedCount: 2 + 2 * 13 + 2 + 1 + 1 + 13 + 2 + 2);
        result.Output.Should().Contain("decoder.head.weight → mae-pixels.decoder.head.weight").And.Contain("mask_token → mae-pixels.mask_token");
    }

    [Theory]
    [InlineData("umt-stage1.pth", new string[0])]
    [InlineData("umt-stage2.pth", new[] { "--config", "configs/umt-stage2.json", "--set", "Umt:Stage2:EmbedDim=16" })]
    [InlineData("videomae.pth", new[] { "--config", "configs/videomae.json", "--set", "Umt:Model:Tubelet=2", "--set", "Umt:Objectives:mae-pixels:Options:DecoderWidth=16",
        "--set", "Umt:Objectives:mae-pixels:Options:DecoderDepth=1", "--set", "Umt:Objectives:mae-pixels:Options:DecoderHeads=2" })]
    public void Import_then_export_gives_pytorch_the_original_tensors_back(string file, string[] config)
    {
        string imported = temp.Combine("model.safetensors"), exported = temp.Combine("exported.pth");
        var import = TestSupport.Umt.Run(log, ["convert", "import", Path.Combine(Fixtures, file), "--out", imported, .. config, .. TinyStudent]);
        import.ExitCode.Should().Be(0, import.All);

        var export = TestSupport.Umt.Run(log, "convert", "export", imported, "--out", exported);

        export.ExitCode.Should().Be(0, export.All);
        foreach (var run in new[] { import, export })
        {
            // Issue 19: convert shows its progress on stderr (plain lines here: not a terminal), read and write each to the end.
            run.Error.Should().MatchRegex(@"convert read: (\d+)/\1 MB \(100%\)").And.MatchRegex(@"convert write: (\d+)/\1 MB \(100%\)");
        }
        // Real PyTorch (Debian's python3-torch, which ./test.sh installs) loads the export with
        // weights_only=True and compares it with the original file: keys, dtypes, shapes, values.
        var check = PythonTorch.Run(Path.Combine(Fixtures, "check_export.py"), Path.Combine(Fixtures, file), exported);
        check.ExitCode.Should().Be(0, check.Output);
        check.Output.Should().StartWith("equal: ");
    }

    /// <summary>The written file holds exactly the tensors of <paramref name="group"/> in <paramref name="expectedFile"/> (the fixtures' by default), value for value.</summary>
    internal static void ShouldHoldExpected(string output, string group, int expectedCount, string? expectedFile = null)
    {
        using var scope = NewDisposeScope();
        var written = SafetensorsFile.Read(output);
        var expected = SafetensorsFile.Read(expectedFile ?? Path.Combine(Fixtures, "expected.safetensors"))
            .Where(kv => kv.Key.StartsWith(group, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[group.Length..], kv => kv.Value);

        expected.Should().HaveCount(expectedCount, "the fixture script's own count");
        written.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach (var (key, value) in expected)
        {
            written[key].shape.Should().Equal(value.shape, key);
            written[key].equal(value).all().item<bool>().Should().BeTrue($"{key} keeps its values");
        }
    }

    public void Dispose() => temp.Dispose();
}
