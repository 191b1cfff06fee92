using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace Umt.Models.Clip;

/// <summary>
/// Maps HuggingFace CLIP vision keys onto OpenAI's visual layout, inverting
/// transformers/models/clip/convert_clip_original_pytorch_to_hf.py: q/k/v projections are packed
/// back into <c>in_proj_weight</c>/<c>in_proj_bias</c> (rows q; k; v, as <c>chunk(3, dim=0)</c>
/// split them) and <c>visual_projection.weight</c> <c>[C, D]</c> is transposed into <c>proj</c> <c>[D, C]</c>.
/// </summary>
public static partial class HuggingFaceClipKeys
{
    /// <summary>Prefix of the vision tower in HF files.</summary>
    public const string VisionPrefix = "vision_model.";

    /// <summary>HF's projection key (no bias).</summary>
    public const string ProjectionKey = "visual_projection.weight";

    private static readonly Dictionary<string, string> Direct = new(StringComparer.Ordinal)
    {
        ["embeddings.class_embedding"] = "class_embedding",
        ["embeddings.patch_embedding.weight"] = "conv1.weight",
        ["embeddings.position_embedding.weight"] = "positional_embedding",
        ["pre_layrnorm.weight"] = "ln_pre.weight", // 'layrnorm' is HF's own spelling
        ["pre_layrnorm.bias"] = "ln_pre.bias",
        ["post_layernorm.weight"] = "ln_post.weight",
        ["post_layernorm.bias"] = "ln_post.bias",
    };

    private static readonly Dictionary<string, string> PerLayer = new(StringComparer.Ordinal)
    {
        ["self_attn.out_proj.weight"] = "attn.out_proj.weight",
        ["self_attn.out_proj.bias"] = "attn.out_proj.bias",
        ["layer_norm1.weight"] = "ln_1.weight",
        ["layer_norm1.bias"] = "ln_1.bias",
        ["layer_norm2.weight"] = "ln_2.weight",
        ["layer_norm2.bias"] = "ln_2.bias",
        ["mlp.fc1.weight"] = "mlp.c_fc.weight",
        ["mlp.fc1.bias"] = "mlp.c_fc.bias",
        ["mlp.fc2.weight"] = "mlp.c_proj.weight",
        ["mlp.fc2.bias"] = "mlp.c_proj.bias",
    };

    private static readonly string[] PackedOrder = ["q", "k", "v"];

    [GeneratedRegex(@"^encoder\.layers\.(\d+)\.(.+)$")]
    private static partial Regex LayerKey();

    [GeneratedRegex(@"^self_attn\.([qkv])_proj\.(weight|bias)$")]
    private static partial Regex ProjectionPart();

    /// <summary>Where one HF key goes in OpenAI's visual layout.</summary>
    /// <param name="Target">OpenAI name (without <c>visual.</c>), or null when the key is not part of the vision tower.</param>
    /// <param name="PackedPart">0, 1, 2 for q, k, v rows of a packed <c>in_proj</c>; −1 otherwise.</param>
    /// <param name="Transposed">The tensor is stored transposed (<c>visual_projection.weight</c>).</param>
    /// <param name="Unmapped">A vision key with no OpenAI counterpart.</param>
    public readonly record struct Mapping(string? Target, int PackedPart, bool Transposed, bool Unmapped);

    /// <summary>
    /// Maps one HF key. Text-tower keys (<c>text_model.*</c>, <c>text_projection.weight</c>,
    /// <c>logit_scale</c>) and the <c>position_ids</c> buffer are not part of the vision tower.
    /// </summary>
    public static Mapping Map(string key)
    {
        if (key == ProjectionKey)
        {
            return new Mapping("proj", -1, Transposed: true, Unmapped: false); // [C, D] → [D, C]
        }
        if (!key.StartsWith(VisionPrefix, StringComparison.Ordinal))
        {
            return new Mapping(null, -1, false, false); // text tower, logit_scale
        }
        string name = key[VisionPrefix.Length..];
        if (name == "embeddings.position_ids")
        {
            return new Mapping(null, -1, false, false); // an index buffer HF regenerates; not a weight
        }
        if (Direct.TryGetValue(name, out var direct))
        {
            return new Mapping(direct, -1, false, false);
        }
        var layer = LayerKey().Match(name);
        if (!layer.Success)
        {
            return new Mapping(null, -1, false, Unmapped: true);
        }
        string block = $"transformer.resblocks.{layer.Groups[1].Value}.";
        string rest = layer.Groups[2].Value;
        if (PerLayer.TryGetValue(rest, out var target))
        {
            return new Mapping(block + target, -1, false, false);
        }
        var part = ProjectionPart().Match(rest);
        return part.Success
            ? new Mapping(block + "attn.in_proj_" + part.Groups[2].Value, Array.IndexOf(PackedOrder, part.Groups[1].Value), false, false)
            : new Mapping(null, -1, false, Unmapped: true);
    }

    /// <summary>The OpenAI visual state dict (stripped names) built from an HF state dict; unmapped vision keys are returned in <paramref name="unmapped"/>.</summary>
    public static Dictionary<string, Tensor> ToOpenAi(IReadOnlyDictionary<string, Tensor> hf, out List<string> unmapped) =>
        Assemble(hf, out unmapped, t => t.t().contiguous(), parts => cat(parts, 0));

    /// <summary>The shapes <see cref="ToOpenAi"/> would produce, from shapes alone (a safetensors header).</summary>
    public static Dictionary<string, long[]> ShapesToOpenAi(IReadOnlyDictionary<string, long[]> hf, out List<string> unmapped) =>
        Assemble(hf, out unmapped, s => s.Reverse().ToArray(), parts => [parts.Sum(p => p[0]), .. parts[0][1..]]);

    /// <summary>One mapping for tensors and for shapes: rename, transpose, and pack q; k; v rows.</summary>
    private static Dictionary<string, T> Assemble<T>(IReadOnlyDictionary<string, T> hf, out List<string> unmapped, Func<T, T> transpose, Func<T[], T> pack)
        where T : class
    {
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        var packed = new Dictionary<string, T?[]>(StringComparer.Ordinal); // target key → q, k, v parts
        unmapped = [];
        foreach (var (key, value) in hf)
        {
            var mapping = Map(key);
            if (mapping.Unmapped)
            {
                unmapped.Add(key);
            }
            else if (mapping.Target is null)
            {
                continue;
            }
            else if (mapping.PackedPart >= 0)
            {
                if (!packed.TryGetValue(mapping.Target, out var parts))
                {
                    packed[mapping.Target] = parts = new T?[3];
                }
                parts[mapping.PackedPart] = value;
            }
            else
            {
                result[mapping.Target] = mapping.Transposed ? transpose(value) : value;
            }
        }
        foreach (var (key, parts) in packed)
        {
            if (parts.Any(p => p is null))
            {
                string missing = string.Join(", ", PackedOrder.Where((_, i) => parts[i] is null));
                throw new InvalidDataException($"HF CLIP weights lack the {missing} projection(s) packed into '{key}'.");
            }
            result[key] = pack(parts!); // rows q; k; v
        }
        return result;
    }
}
