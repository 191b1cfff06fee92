using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary>
/// <c>umt convert</c> against the published code's own file layouts, written by real PyTorch at
/// test time (tests/fixtures/reference/make_interop_files.py): a stage-2 training checkpoint with
/// its EasyDict <c>config</c>, a downstream fine-tune whose text keys lack <c>bert.</c>, a
/// DeepSpeed file with the weights under <c>module</c>; and <c>export --flat</c> for loaders that
/// read a bare state dict.
/// </summary>
public sealed class ConvertInteropTests(ConvertInteropTests.Files files, ITestOutputHelper log) : IClassFixture<ConvertInteropTests.Files>, IDisposable
{
    private static readonly string[] Stage2 = ["--config", "configs/umt-stage2.json", "--set", "Umt:Stage2:EmbedDim=16"];

    // The student (2 + 2 × 13 + 2 keys), its K = 1 alignment head (4); the text keys (3).
    private const int StudentAndHead = 2 + 2 * 13 + 2 + 4, TextKeys = 3;

    private readonly TemporaryDirectory temp = new();

    [Fact]
    public void A_stage2_training_checkpoint_with_an_easydict_config_imports_its_weights_and_lists_the_rest()
    {
        string output = temp.Combine("model.safetensors");

        var result = TestSupport.Umt.Run(log, ["convert", "import", files.Combine("stage2-easydict.pth"), "--out", output, .. Stage2, .. ConvertImportTests.TinyStudent]);

        result.ExitCode.Should().Be(0, result.All);
        ConvertImportTests.ShouldHoldExpected(output, "stage2-easydict/", StudentAndHead + TextKeys, files.Combine("expected.safetensors"));
        result.Output.Should().Contain("not model weights (skipped): 2").And.Contain("optimizer.state.0.exp_avg").And.Contain("optimizer.state.0.step",
            "the optimizer's tensors beside 'model' are listed; the config, scheduler and scaler hold none");
    }

    [Fact]
    public void A_downstream_checkpoint_has_its_text_encoder_keys_put_back_under_bert()
    {
        string output = temp.Combine("model.safetensors");

        var result = TestSupport.Umt.Run(log, ["convert", "import", files.Combine("downstream.pth"), "--out", output, .. Stage2, .. ConvertImportTests.TinyStudent]);

        result.ExitCode.Should().Be(0, result.All);
        ConvertImportTests.ShouldHoldExpected(output, "downstream/", StudentAndHead + TextKeys, files.Combine("expected.safetensors"));
        result.Output.Should().Contain("text_encoder.embeddings.LayerNorm.weight → text_encoder.bert.embeddings.LayerNorm.weight")
            .And.NotContain("unexpected (no module", "every text key finds its module once renamed");
    }

    [Fact]
    public void A_deepspeed_checkpoint_imports_the_weights_under_module_and_lists_the_engine_entries_beside_them()
    {
        string output = temp.Combine("model.safetensors");

        var result = TestSupport.Umt.Run(log, ["convert", "import", files.Combine("deepspeed.pth"), "--out", output, .. ConvertImportTests.TinyStudent]);

        result.ExitCode.Should().Be(0, result.All);
        ConvertImportTests.ShouldHoldExpected(output, "deepspeed/", StudentAndHead, files.Combine("expected.safetensors"));
        result.Output.Should().Contain("not model weights (skipped): 1").And.Contain("optimizer.state.0.exp_avg");
    }

    [Theory]
    [InlineData("umt-stage1.pth", false)]
    [InlineData("umt-stage2.pth", true)]
    public void A_flat_export_is_a_bare_state_dict_that_pytorch_reads_back(string file, bool stage2)
    {
        string imported = temp.Combine("model.safetensors"), exported = temp.Combine("flat.pth");
        var import = TestSupport.Umt.Run(log, ["convert", "import", Path.Combine(ConvertImportTests.Fixtures, file), "--out", imported,
            .. stage2 ? Stage2 : [], .. ConvertImportTests.TinyStudent]);
        import.ExitCode.Should().Be(0, import.All);

        var export = TestSupport.Umt.Run(log, "convert", "export", imported, "--out", exported, "--flat");

        export.ExitCode.Should().Be(0, export.All);
        var check = PythonTorch.Run(Path.Combine(ConvertImportTests.Fixtures, "check_export.py"), Path.Combine(ConvertImportTests.Fixtures, file), exported, "--flat");
        check.ExitCode.Should().Be(0, check.Output);
        check.Output.Should().StartWith("equal: ");
    }

    public void Dispose() => temp.Dispose();

    /// <summary>The interop files, written once for the class by real PyTorch.</summary>
    public sealed class Files : IDisposable
    {
        private readonly TemporaryDirectory folder = new();

        public Files()
        {
            var made = PythonTorch.Run(Path.Combine(ConvertImportTests.Fixtures, "make_interop_files.py"), folder.Path);
            if (made.ExitCode != 0)
            {
                throw new InvalidOperationException($"make_interop_files.py failed ({made.ExitCode}):\n{made.Output}");
            }
        }

        public string Combine(string name) => folder.Combine(name);

        public void Dispose() => folder.Dispose();
    }
}
