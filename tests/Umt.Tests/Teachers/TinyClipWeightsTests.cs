using Umt.Models.Clip;
using Umt.Models.Weights;
using Umt.Runner.Workflows.TeacherTraining;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Teachers;

/// <summary>The tiny teacher's weight file: OpenAI's full CLIP key layout, and an exact round trip.</summary>
public sealed class TinyClipWeightsTests(ITestOutputHelper log)
{
    /// <summary>OpenAI's keys of one residual block (clip/model.py <c>ResidualAttentionBlock</c>).</summary>
    private static readonly string[] BlockKeys =
    [
        "attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight", "attn.out_proj.bias",
        "ln_1.weight", "ln_1.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias", "ln_2.weight", "ln_2.bias",
    ];

    /// <summary>Every key of OpenAI's ViT CLIP state dict (without the non-tensor entries build_model deletes), written out by hand.</summary>
    private static IEnumerable<string> OpenAiKeys(int visionLayers, int textLayers) =>
        new[] { "visual.class_embedding", "visual.positional_embedding", "visual.proj", "visual.conv1.weight",
                "visual.ln_pre.weight", "visual.ln_pre.bias", "visual.ln_post.weight", "visual.ln_post.bias" }
        .Concat(Enumerable.Range(0, visionLayers).SelectMany(i => BlockKeys.Select(k => $"visual.transformer.resblocks.{i}.{k}")))
        .Concat(["token_embedding.weight", "positional_embedding", "ln_final.weight", "ln_final.bias", "text_projection", "logit_scale"])
        .Concat(Enumerable.Range(0, textLayers).SelectMany(i => BlockKeys.Select(k => $"transformer.resblocks.{i}.{k}")));

    [Fact]
    public void Train_command_writes_exactly_OpenAIs_keys_for_the_configured_sizes()
    {
        using var folder = new TemporaryDirectory();
        string output = folder.Combine("teacher.safetensors");

        var result = TestSupport.Umt.Run(log, "teacher", "train", "--config", "configs/teacher-tiny-clip.json",
            "--set", "Umt:TeacherTraining:Steps=1", "--set", "Umt:TeacherTraining:WarmupSteps=0", "--set", "Umt:TeacherTraining:BatchSize=4",
            "--set", "Umt:TeacherTraining:Images=4", "--set", "Umt:TeacherTraining:VisionLayers=2", "--set", "Umt:TeacherTraining:TextLayers=3",
            "--set", $"Umt:TeacherTraining:Output={output}");

        result.ExitCode.Should().Be(0, result.All);
        var header = SafetensorsFile.ReadHeader(output);
        header.Tensors.Keys.Should().BeEquivalentTo(OpenAiKeys(visionLayers: 2, textLayers: 3));
        var shapes = header.Tensors.ToDictionary(p => p.Key, p => p.Value.Shape.ToArray());
        shapes["visual.conv1.weight"].Should().Equal(128, 3, 8, 8);
        shapes["visual.positional_embedding"].Should().Equal(65, 128);   // CLS + 8×8 patches
        shapes["visual.proj"].Should().Equal(128, 128);
        shapes["token_embedding.weight"].Should().Equal(36, 128);         // the committed vocabulary's 36 tokens
        shapes["positional_embedding"].Should().Equal(16, 128);
        shapes["text_projection"].Should().Equal(128, 128);
        shapes["logit_scale"].Should().BeEmpty();
        header.Metadata.Should().ContainKeys(TinyClipWeights.ArchitectureKey, TinyClipWeights.TrainingConfigKey);
        header.Metadata[TinyClipWeights.VocabKey].Should().Be("teacher-vocab.txt");
        header.Metadata[TinyClipWeights.TrainingConfigKey].Should().Contain("\"VisionLayers\":2");
        File.ReadAllText(folder.Combine("teacher-vocab.txt")).Should().Be(TinyClipVocabulary.FileText());
        ClipModelConfig.Infer(shapes).Should().Be(TeacherTrainer.Architecture(new TeacherTrainingOptions { VisionLayers = 2, TextLayers = 3 }, vocabSize: 36),
            "OpenAI's shape inference (heads = width / 64) recovers the configured architecture");
    }

    [Fact]
    public void Saved_model_loads_back_with_identical_embeddings()
    {
        using var folder = new TemporaryDirectory();
        string path = folder.Combine("tiny.safetensors");
        TinyClipVocabulary.Write(TinyClipWeights.VocabPathFor(path));
        manual_seed(7);
        using var original = new ClipModel(TeacherTrainer.Architecture(new TeacherTrainingOptions { VisionLayers = 2, TextLayers = 2 }, vocabSize: 36));
        original.eval();
        using (no_grad())
        {
            original.LogitScale.fill_(3.25); // a value init would not give, so loading it is checked too
        }
        TinyClipWeights.Save(original, path, Path.GetFileName(TinyClipWeights.VocabPathFor(path)), "{}");

        using var loaded = TinyClipWeights.Load(path);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var images = randn(3, 3, 64, 64);                                       // [B, 3, H, W]
        var tokens = loaded.Tokenizer.Encode(["a small red triangle", "a large blue ring", "a small cyan star"]);
        var ids = tensor(tokens.Ids, [tokens.Count, tokens.ContextLength]);    // [B, L]
        var positions = tensor(tokens.PoolPositions);                          // [B]
        loaded.Model.Config.Should().Be(original.Config);
        loaded.Model.EncodeImage(images).data<float>().ToArray().Should().Equal(original.EncodeImage(images).data<float>().ToArray());
        loaded.Model.EncodeText(ids, positions).data<float>().ToArray().Should().Equal(original.EncodeText(ids, positions).data<float>().ToArray());
        loaded.Model.LogitScale.item<float>().Should().Be(3.25f);
        loaded.Model.state_dict().Keys.Should().BeEquivalentTo(OpenAiKeys(visionLayers: 2, textLayers: 2));
    }
}
