using Umt.Models.Clip;
using Umt.Models.Weights;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Clip;

/// <summary>
/// Key names and shapes of the CLIP vision tower against the published layouts
/// (design/data-and-weights.md §4: OpenAI clip/model.py's state_dict and HF's conversion script),
/// written out here rather than derived from the code under test.
/// </summary>
public sealed class ClipKeyLayoutTests
{
    /// <summary>OpenAI ViT-B/16's visual keys, §4(a): 12 blocks of width 768, 14² patches of 16, proj to 512.</summary>
    private static Dictionary<string, long[]> OpenAiB16Visual()
    {
        var keys = new Dictionary<string, long[]>(StringComparer.Ordinal)
        {
            ["visual.class_embedding"] = [768],
            ["visual.positional_embedding"] = [197, 768],
            ["visual.proj"] = [768, 512],
            ["visual.conv1.weight"] = [768, 3, 16, 16],
            ["visual.ln_pre.weight"] = [768],
            ["visual.ln_pre.bias"] = [768],
            ["visual.ln_post.weight"] = [768],
            ["visual.ln_post.bias"] = [768],
        };
        for (int i = 0; i < 12; i++)
        {
            string block = $"visual.transformer.resblocks.{i}.";
            keys[block + "attn.in_proj_weight"] = [2304, 768];
            keys[block + "attn.in_proj_bias"] = [2304];
            keys[block + "attn.out_proj.weight"] = [768, 768];
            keys[block + "attn.out_proj.bias"] = [768];
            keys[block + "ln_1.weight"] = [768];
            keys[block + "ln_1.bias"] = [768];
            keys[block + "mlp.c_fc.weight"] = [3072, 768];
            keys[block + "mlp.c_fc.bias"] = [3072];
            keys[block + "mlp.c_proj.weight"] = [768, 3072];
            keys[block + "mlp.c_proj.bias"] = [768];
            keys[block + "ln_2.weight"] = [768];
            keys[block + "ln_2.bias"] = [768];
        }
        return keys;
    }

    /// <summary>OpenAI ViT-L/14's visual keys: 24 blocks of width 1024, 16² patches of 14, proj to 768.</summary>
    private static Dictionary<string, long[]> OpenAiL14Visual()
    {
        var keys = new Dictionary<string, long[]>(StringComparer.Ordinal)
        {
            ["visual.class_embedding"] = [1024],
            ["visual.positional_embedding"] = [257, 1024],
            ["visual.proj"] = [1024, 768],
            ["visual.conv1.weight"] = [1024, 3, 14, 14],
            ["visual.ln_pre.weight"] = [1024],
            ["visual.ln_pre.bias"] = [1024],
            ["visual.ln_post.weight"] = [1024],
            ["visual.ln_post.bias"] = [1024],
        };
        for (int i = 0; i < 24; i++)
        {
            string block = $"visual.transformer.resblocks.{i}.";
            keys[block + "attn.in_proj_weight"] = [3072, 1024];
            keys[block + "attn.in_proj_bias"] = [3072];
            keys[block + "attn.out_proj.weight"] = [1024, 1024];
            keys[block + "attn.out_proj.bias"] = [1024];
            keys[block + "ln_1.weight"] = [1024];
            keys[block + "ln_1.bias"] = [1024];
            keys[block + "mlp.c_fc.weight"] = [4096, 1024];
            keys[block + "mlp.c_fc.bias"] = [4096];
            keys[block + "mlp.c_proj.weight"] = [1024, 4096];
            keys[block + "mlp.c_proj.bias"] = [1024];
            keys[block + "ln_2.weight"] = [1024];
            keys[block + "ln_2.bias"] = [1024];
        }
        return keys;
    }

    /// <summary>HF <c>openai/clip-vit-base-patch16</c>'s vision keys, §4(b), with the old <c>position_ids</c> buffer.</summary>
    private static Dictionary<string, (long[] Shape, ScalarType Type)> HuggingFaceB16Vision()
    {
        var keys = new Dictionary<string, (long[], ScalarType)>(StringComparer.Ordinal)
        {
            ["vision_model.embeddings.class_embedding"] = ([768], ScalarType.Float32),
            ["vision_model.embeddings.patch_embedding.weight"] = ([768, 3, 16, 16], ScalarType.Float32),
            ["vision_model.embeddings.position_embedding.weight"] = ([197, 768], ScalarType.Float32),
            ["vision_model.embeddings.position_ids"] = ([1, 197], ScalarType.Int64),
            ["vision_model.pre_layrnorm.weight"] = ([768], ScalarType.Float32),
            ["vision_model.pre_layrnorm.bias"] = ([768], ScalarType.Float32),
            ["vision_model.post_layernorm.weight"] = ([768], ScalarType.Float32),
            ["vision_model.post_layernorm.bias"] = ([768], ScalarType.Float32),
            ["visual_projection.weight"] = ([512, 768], ScalarType.Float32),
        };
        for (int i = 0; i < 12; i++)
        {
            string layer = $"vision_model.encoder.layers.{i}.";
            foreach (string part in new[] { "q", "k", "v", "out" })
            {
                keys[$"{layer}self_attn.{part}_proj.weight"] = ([768, 768], ScalarType.Float32);
                keys[$"{layer}self_attn.{part}_proj.bias"] = ([768], ScalarType.Float32);
            }
            keys[layer + "layer_norm1.weight"] = ([768], ScalarType.Float32);
            keys[layer + "layer_norm1.bias"] = ([768], ScalarType.Float32);
            keys[layer + "layer_norm2.weight"] = ([768], ScalarType.Float32);
            keys[layer + "layer_norm2.bias"] = ([768], ScalarType.Float32);
            keys[layer + "mlp.fc1.weight"] = ([3072, 768], ScalarType.Float32);
            keys[layer + "mlp.fc1.bias"] = ([3072], ScalarType.Float32);
            keys[layer + "mlp.fc2.weight"] = ([768, 3072], ScalarType.Float32);
            keys[layer + "mlp.fc2.bias"] = ([768], ScalarType.Float32);
        }
        return keys;
    }

    /// <summary>HF text-tower keys and the temperature, which a vision mapping must ignore (small stand-ins: their shapes do not matter).</summary>
    private static readonly string[] HuggingFaceTextKeys =
    [
        "text_model.embeddings.token_embedding.weight",
        "text_model.embeddings.position_embedding.weight",
        "text_model.embeddings.position_ids",
        "text_model.encoder.layers.0.self_attn.q_proj.weight",
        "text_model.encoder.layers.0.mlp.fc1.weight",
        "text_model.final_layer_norm.weight",
        "text_projection.weight",
        "logit_scale",
    ];

    private static readonly ClipVisionConfig Tiny = new(Width: 8, Layers: 2, Heads: 2, PatchSize: 4, GridSide: 2, OutputWidth: 6);

    [Fact]
    public void B16_tower_has_exactly_the_published_openai_visual_keys_and_shapes()
    {
        var expected = OpenAiB16Visual();
        // The table is the published one: 152 of CLIP-B/16's 302 keys, and its 86,192,640 values
        // are 149,620,737 (whole model) minus the text tower's 63,428,097.
        expected.Should().HaveCount(152);
        expected.Values.Sum(s => s.Aggregate(1L, (a, b) => a * b)).Should().Be(149_620_737 - 63_428_097);

        var actual = VisualShapes(ClipVisionConfig.B16);

        actual.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach (var (key, shape) in expected)
        {
            actual[key].Should().Equal(shape, key);
        }
    }

    [Fact]
    public void L14_tower_has_exactly_the_published_openai_visual_keys_and_shapes()
    {
        var expected = OpenAiL14Visual();
        expected.Should().HaveCount(8 + 24 * 12);
        expected.Values.Sum(s => s.Aggregate(1L, (a, b) => a * b)).Should().Be(303_966_208, "CLIP ViT-L/14's image tower has 304 M parameters");

        var actual = VisualShapes(ClipVisionConfig.L14);

        actual.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach (var (key, shape) in expected)
        {
            actual[key].Should().Equal(shape, key);
        }
    }

    [Fact]
    public void Presets_are_the_published_architectures()
    {
        ClipVisionConfig.B16.Should().Be(new ClipVisionConfig(Width: 768, Layers: 12, Heads: 12, PatchSize: 16, GridSide: 14, OutputWidth: 512));
        ClipVisionConfig.L14.Should().Be(new ClipVisionConfig(Width: 1024, Layers: 24, Heads: 16, PatchSize: 14, GridSide: 16, OutputWidth: 768));
        ClipVisionConfig.B16.NativeResolution.Should().Be(224);
        ClipVisionConfig.L14.NativeResolution.Should().Be(224);
    }

    [Fact]
    public void Infer_recovers_the_presets_from_the_published_shapes_with_heads_width_over_64()
    {
        ClipVisionConfig.Infer(Stripped(OpenAiB16Visual())).Should().Be(ClipVisionConfig.B16);
        ClipVisionConfig.Infer(Stripped(OpenAiL14Visual())).Should().Be(ClipVisionConfig.L14);
        ClipVisionConfig.Infer(Stripped(OpenAiB16Visual()), heads: 8).Should().Be(ClipVisionConfig.B16 with { Heads = 8 });
    }

    [Fact]
    public void Infer_refuses_inconsistent_or_incomplete_shapes_naming_the_key()
    {
        var noProjection = Stripped(OpenAiB16Visual());
        noProjection.Remove("proj");
        var notSquare = Stripped(OpenAiB16Visual());
        notSquare["positional_embedding"] = [196, 768];
        var wrongProjection = Stripped(OpenAiB16Visual());
        wrongProjection["proj"] = [512, 768];

        FluentActions.Invoking(() => ClipVisionConfig.Infer(noProjection)).Should().Throw<InvalidDataException>().WithMessage("*'proj'*");
        FluentActions.Invoking(() => ClipVisionConfig.Infer(notSquare)).Should().Throw<InvalidDataException>().WithMessage("*positional_embedding [196, 768]*");
        FluentActions.Invoking(() => ClipVisionConfig.Infer(wrongProjection)).Should().Throw<InvalidDataException>().WithMessage("*proj [512, 768]*");
    }

    [Fact]
    public void HuggingFace_b16_vision_keys_map_onto_exactly_the_openai_b16_visual_layout()
    {
        using var scope = NewDisposeScope();
        // Full-size vision tensors, uninitialised (only shapes matter); small stand-ins for the text keys.
        var hf = HuggingFaceB16Vision().ToDictionary(p => p.Key, p => empty(p.Value.Shape, p.Value.Type), StringComparer.Ordinal);
        foreach (string key in HuggingFaceTextKeys)
        {
            hf[key] = zeros(2, 2);
        }

        var mapped = HuggingFaceClipKeys.ToOpenAi(hf, out var unmapped);

        unmapped.Should().BeEmpty();
        var expected = Stripped(OpenAiB16Visual());
        mapped.Keys.Should().BeEquivalentTo(expected.Keys, "position_ids, the text tower and logit_scale are not visual weights");
        foreach (var (key, shape) in expected)
        {
            mapped[key].shape.Should().Equal(shape, key);
            mapped[key].dtype.Should().Be(ScalarType.Float32, key);
        }
    }

    [Fact]
    public void HuggingFace_keys_pack_q_k_v_in_that_order_and_transpose_the_projection()
    {
        // The HF file is made from a random OpenAI tower by the conversion script's rule:
        // in_proj_weight.chunk(3, dim=0) → q, k, v; visual_projection.weight = proj.T.
        using var scope = NewDisposeScope();
        using var tower = RandomTower(Tiny, seed: 11);
        var openAi = tower.state_dict();
        var hf = ToHuggingFace(openAi, Tiny);

        var mapped = HuggingFaceClipKeys.ToOpenAi(hf, out var unmapped);

        unmapped.Should().BeEmpty();
        mapped.Keys.Should().BeEquivalentTo(openAi.Keys);
        foreach (var (key, tensor) in openAi)
        {
            mapped[key].shape.Should().Equal(tensor.shape, key);
            mapped[key].equal(tensor).all().item<bool>().Should().BeTrue($"{key} holds the original values");
        }
        // The same facts element by element on block 1 and the projection.
        var packed = mapped["transformer.resblocks.1.attn.in_proj_weight"].data<float>().ToArray(); // [3D, D]
        var packedBias = mapped["transformer.resblocks.1.attn.in_proj_bias"].data<float>().ToArray(); // [3D]
        string[] parts = ["q", "k", "v"];
        for (int part = 0; part < 3; part++)
        {
            var weight = hf[$"vision_model.encoder.layers.1.self_attn.{parts[part]}_proj.weight"].data<float>().ToArray(); // [D, D]
            var bias = hf[$"vision_model.encoder.layers.1.self_attn.{parts[part]}_proj.bias"].data<float>().ToArray();     // [D]
            packed.Skip(part * 64).Take(64).Should().Equal(weight, $"rows {part * 8}..{part * 8 + 7} are {parts[part]}");
            packedBias.Skip(part * 8).Take(8).Should().Equal(bias);
        }
        var projection = hf["visual_projection.weight"].data<float>().ToArray(); // [C, D] = [6, 8]
        var proj = mapped["proj"].data<float>().ToArray();                         // [D, C] = [8, 6]
        for (int d = 0; d < 8; d++)
        {
            for (int c = 0; c < 6; c++)
            {
                proj[d * 6 + c].Should().Be(projection[c * 8 + d]);
            }
        }
    }

    [Fact]
    public void Unknown_vision_keys_are_reported_and_text_keys_are_ignored()
    {
        using var scope = NewDisposeScope();
        using var tower = RandomTower(Tiny, seed: 12);
        var hf = ToHuggingFace(tower.state_dict(), Tiny);
        hf["vision_model.encoder.layers.0.self_attn.rotary_emb.inv_freq"] = zeros(4);
        hf["vision_model.head.probe"] = zeros(1, 1, 8);
        foreach (string key in HuggingFaceTextKeys)
        {
            hf[key] = zeros(2, 2);
        }

        var mapped = HuggingFaceClipKeys.ToOpenAi(hf, out var unmapped);

        unmapped.Should().BeEquivalentTo("vision_model.encoder.layers.0.self_attn.rotary_emb.inv_freq", "vision_model.head.probe");
        mapped.Keys.Should().BeEquivalentTo(tower.state_dict().Keys);
    }

    [Fact]
    public void A_missing_projection_part_is_an_error_naming_it_and_the_packed_key()
    {
        using var scope = NewDisposeScope();
        using var tower = RandomTower(Tiny, seed: 13);
        var hf = ToHuggingFace(tower.state_dict(), Tiny);
        hf.Remove("vision_model.encoder.layers.1.self_attn.k_proj.weight");

        var map = () => HuggingFaceClipKeys.ToOpenAi(hf, out _);

        map.Should().Throw<InvalidDataException>().WithMessage("*k*transformer.resblocks.1.attn.in_proj_weight*");
    }

    [Theory]
    [InlineData(ClipWeightLayout.OpenAi)]
    [InlineData(ClipWeightLayout.OpenAiVisualOnly)]
    [InlineData(ClipWeightLayout.HuggingFace)]
    public void Weight_files_in_every_published_layout_read_back_as_the_same_visual_tensors(ClipWeightLayout layout)
    {
        using var scope = NewDisposeScope();
        using var temp = new TemporaryDirectory();
        using var tower = RandomTower(Tiny, seed: 14);
        var openAi = tower.state_dict();
        var file = layout switch
        {
            ClipWeightLayout.OpenAi => openAi.ToDictionary(p => "visual." + p.Key, p => p.Value)
                .Concat(new Dictionary<string, Tensor> { ["token_embedding.weight"] = zeros(5, 4), ["logit_scale"] = zeros(1) })
                .ToDictionary(p => p.Key, p => p.Value),
            ClipWeightLayout.OpenAiVisualOnly => new Dictionary<string, Tensor>(openAi),
            _ => ToHuggingFace(openAi, Tiny),
        };
        string path = temp.Combine("clip.safetensors");
        SafetensorsFile.Write(path, file);

        using var weights = ClipVisionWeights.Read(path);

        weights.Layout.Should().Be(layout);
        weights.Path.Should().Be(path);
        weights.Tensors.Keys.Should().BeEquivalentTo(openAi.Keys);
        foreach (var (key, tensor) in openAi)
        {
            weights.Tensors[key].shape.Should().Equal(tensor.shape, key);
            weights.Tensors[key].equal(tensor).all().item<bool>().Should().BeTrue(key);
        }
        ClipVisionConfig.Infer(weights.Shapes, Tiny.Heads).Should().Be(Tiny);
    }

    private static Dictionary<string, long[]> VisualShapes(ClipVisionConfig config)
    {
        using var tower = new ClipVisionTransformer(config);
        return tower.state_dict().ToDictionary(p => "visual." + p.Key, p => p.Value.shape, StringComparer.Ordinal);
    }

    private static Dictionary<string, long[]> Stripped(Dictionary<string, long[]> visual) =>
        visual.ToDictionary(p => p.Key["visual.".Length..], p => p.Value, StringComparer.Ordinal);

    private static ClipVisionTransformer RandomTower(ClipVisionConfig config, int seed)
    {
        var tower = new ClipVisionTransformer(config);
        using var generator = new Generator((ulong)seed);
        using (no_grad())
        {
            foreach (var parameter in tower.state_dict().Values)
            {
                parameter.copy_(randn(parameter.shape, generator: generator));
            }
        }
        return tower;
    }

    /// <summary>
    /// An HF state dict made from OpenAI visual tensors by transformers' convert_clip_original_pytorch_to_hf.py
    /// rules, written out here: renames, q/k/v = consecutive thirds of the packed rows, projection transposed.
    /// </summary>
    private static Dictionary<string, Tensor> ToHuggingFace(IReadOnlyDictionary<string, Tensor> openAi, ClipVisionConfig config)
    {
        long d = config.Width;
        var hf = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["vision_model.embeddings.class_embedding"] = openAi["class_embedding"],
            ["vision_model.embeddings.patch_embedding.weight"] = openAi["conv1.weight"],
            ["vision_model.embeddings.position_embedding.weight"] = openAi["positional_embedding"],
            ["vision_model.embeddings.position_ids"] = arange(1 + config.GridSide * config.GridSide, dtype: ScalarType.Int64).unsqueeze(0),
            ["vision_model.pre_layrnorm.weight"] = openAi["ln_pre.weight"],
            ["vision_model.pre_layrnorm.bias"] = openAi["ln_pre.bias"],
            ["vision_model.post_layernorm.weight"] = openAi["ln_post.weight"],
            ["vision_model.post_layernorm.bias"] = openAi["ln_post.bias"],
            ["visual_projection.weight"] = openAi["proj"].t().contiguous(),
        };
        for (int i = 0; i < config.Layers; i++)
        {
            string from = $"transformer.resblocks.{i}.", to = $"vision_model.encoder.layers.{i}.";
            string[] parts = ["q", "k", "v"];
            for (int part = 0; part < 3; part++)
            {
                hf[$"{to}self_attn.{parts[part]}_proj.weight"] = openAi[from + "attn.in_proj_weight"].narrow(0, part * d, d).contiguous();
                hf[$"{to}self_attn.{parts[part]}_proj.bias"] = openAi[from + "attn.in_proj_bias"].narrow(0, part * d, d).contiguous();
            }
            hf[to + "self_attn.out_proj.weight"] = openAi[from + "attn.out_proj.weight"];
            hf[to + "self_attn.out_proj.bias"] = openAi[from + "attn.out_proj.bias"];
            hf[to + "layer_norm1.weight"] = openAi[from + "ln_1.weight"];
            hf[to + "layer_norm1.bias"] = openAi[from + "ln_1.bias"];
            hf[to + "layer_norm2.weight"] = openAi[from + "ln_2.weight"];
            hf[to + "layer_norm2.bias"] = openAi[from + "ln_2.bias"];
            hf[to + "mlp.fc1.weight"] = openAi[from + "mlp.c_fc.weight"];
            hf[to + "mlp.fc1.bias"] = openAi[from + "mlp.c_fc.bias"];
            hf[to + "mlp.fc2.weight"] = openAi[from + "mlp.c_proj.weight"];
            hf[to + "mlp.fc2.bias"] = openAi[from + "mlp.c_proj.bias"];
        }
        return hf;
    }
}
