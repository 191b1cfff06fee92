using Umt.Models.Weights;
using static TorchSharp.torch;

namespace Umt.Models.Clip;

/// <summary>
/// CLIP vision weights read from a file in any published layout and mapped to OpenAI's visual key
/// names without the <c>visual.</c> prefix (the names of <see cref="ClipVisionTransformer"/>).
/// Files are read as data: safetensors directly, PyTorch zip archives (<c>torch.save</c> and
/// TorchScript, e.g. OpenAI's <c>ViT-B-16.pt</c>) through a restricted unpickler; nothing in a
/// weight file is executed. Owns its tensors (CPU, the file's dtype).
/// </summary>
public sealed class ClipVisionWeights : IDisposable
{
    private const string OpenAiVisualPrefix = "visual.";

    /// <summary>Outer prefixes training scripts wrap a state dict in (<c>{'model': ...}</c>, DDP's <c>module.</c>).</summary>
    private static readonly string[] WrapperPrefixes = ["model.", "module.", "state_dict."];

    private ClipVisionWeights(string path, ClipWeightLayout layout, Dictionary<string, Tensor> tensors)
    {
        Path = path;
        Layout = layout;
        Tensors = tensors;
    }

    /// <summary>The file the weights came from.</summary>
    public string Path { get; }

    /// <summary>The layout the file was recognised as.</summary>
    public ClipWeightLayout Layout { get; }

    /// <summary>Visual tensors under OpenAI's stripped names (<c>conv1.weight</c>, <c>transformer.resblocks.0.attn.in_proj_weight</c>, …).</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>Shapes of <see cref="Tensors"/>.</summary>
    public IReadOnlyDictionary<string, long[]> Shapes => Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal);

    /// <summary>Reads <paramref name="path"/> and maps it to OpenAI's visual names.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a weight file, or holds no CLIP vision tower in a known layout.</exception>
    public static ClipVisionWeights Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"CLIP weights '{path}' do not exist.", path);
        }
        var raw = WeightFile.ReadStateDict(path);
        try
        {
            var (layout, visual) = Map(raw, path, hf => (HuggingFaceClipKeys.ToOpenAi(hf, out var unmapped), unmapped));
            foreach (var tensor in raw.Values.Except(visual.Values))
            {
                tensor.Dispose(); // text tower and buffers the teacher never uses
            }
            return new ClipVisionWeights(path, layout, visual);
        }
        catch
        {
            foreach (var tensor in raw.Values)
            {
                tensor.Dispose();
            }
            throw;
        }
    }

    /// <summary>
    /// The visual shapes of <paramref name="path"/> under OpenAI's stripped names, for validation:
    /// from the header alone for safetensors; PyTorch archives are read whole (their tensors are
    /// pickled among the structure) and released.
    /// </summary>
    public static IReadOnlyDictionary<string, long[]> ReadShapes(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"CLIP weights '{path}' do not exist.", path);
        }
        if (WeightFile.IsPyTorchArchive(path))
        {
            using var weights = Read(path);
            return weights.Shapes;
        }
        var header = SafetensorsFile.ReadHeader(path);
        var shapes = header.Tensors.ToDictionary(e => e.Key, e => e.Value.Shape.ToArray(), StringComparer.Ordinal);
        return Map(shapes, path, hf => (HuggingFaceClipKeys.ShapesToOpenAi(hf, out var unmapped), unmapped)).Visual;
    }

    /// <summary>Recognises the layout and renames (HF: repacks) the vision entries, tensors or shapes alike.</summary>
    private static (ClipWeightLayout Layout, Dictionary<string, T> Visual) Map<T>(
        IReadOnlyDictionary<string, T> raw, string path, Func<IReadOnlyDictionary<string, T>, (Dictionary<string, T> Visual, List<string> Unmapped)> fromHuggingFace)
    {
        var entries = Unwrap(raw);
        if (entries.Keys.Any(k => k.StartsWith(HuggingFaceClipKeys.VisionPrefix, StringComparison.Ordinal)))
        {
            var (visual, unmapped) = fromHuggingFace(entries);
            if (unmapped.Count > 0)
            {
                throw new InvalidDataException($"'{path}' (HuggingFace CLIP layout) has vision keys with no OpenAI counterpart: {string.Join(", ", unmapped)}.");
            }
            return (ClipWeightLayout.HuggingFace, visual);
        }
        if (entries.Keys.Any(k => k.StartsWith(OpenAiVisualPrefix, StringComparison.Ordinal)))
        {
            // The rest (text tower, logit_scale, the published archives' input_resolution/context_length/vocab_size) is not the teacher's.
            var visual = entries
                .Where(kv => kv.Key.StartsWith(OpenAiVisualPrefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[OpenAiVisualPrefix.Length..], kv => kv.Value, StringComparer.Ordinal);
            return (ClipWeightLayout.OpenAi, visual);
        }
        if (entries.ContainsKey("conv1.weight"))
        {
            return (ClipWeightLayout.OpenAiVisualOnly, new Dictionary<string, T>(entries, StringComparer.Ordinal));
        }
        throw new InvalidDataException(
            $"'{path}' holds no CLIP vision tower in a known layout (OpenAI 'visual.*', the UMT reference's stripped 'conv1.weight', HuggingFace 'vision_model.*'). "
            + $"Its first keys: {string.Join(", ", raw.Keys.Order(StringComparer.Ordinal).Take(8))}.");
    }

    /// <summary>Strips one wrapper prefix shared by every key (<c>model.</c>, <c>module.</c>, <c>state_dict.</c>).</summary>
    private static IReadOnlyDictionary<string, T> Unwrap<T>(IReadOnlyDictionary<string, T> raw)
    {
        foreach (string prefix in WrapperPrefixes)
        {
            if (raw.Count > 0 && raw.Keys.All(k => k.StartsWith(prefix, StringComparison.Ordinal)))
            {
                return raw.ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
            }
        }
        return raw;
    }

    /// <summary>Disposes every tensor.</summary>
    public void Dispose()
    {
        foreach (var tensor in Tensors.Values)
        {
            tensor.Dispose();
        }
    }
}
