using System.Text.Json;
using System.Text.Json.Serialization;
using Umt.Models.Clip;
using Umt.Models.Weights;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Step;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.TeacherTraining;

/// <summary>
/// A CLIP architecture under the names of OpenAI's <c>CLIP.__init__</c> arguments (clip/model.py),
/// plus the head counts OpenAI derives from the widths; stored in the weight file's metadata so a
/// reader does not have to guess the heads.
/// </summary>
internal sealed record ClipArchitectureJson(
    [property: JsonPropertyName("embed_dim")] int EmbedDim,
    [property: JsonPropertyName("image_resolution")] int ImageResolution,
    [property: JsonPropertyName("vision_layers")] int VisionLayers,
    [property: JsonPropertyName("vision_width")] int VisionWidth,
    [property: JsonPropertyName("vision_heads")] int VisionHeads,
    [property: JsonPropertyName("vision_patch_size")] int VisionPatchSize,
    [property: JsonPropertyName("context_length")] int ContextLength,
    [property: JsonPropertyName("vocab_size")] int VocabSize,
    [property: JsonPropertyName("transformer_width")] int TransformerWidth,
    [property: JsonPropertyName("transformer_heads")] int TransformerHeads,
    [property: JsonPropertyName("transformer_layers")] int TransformerLayers)
{
    public static ClipArchitectureJson From(ClipModelConfig config) => new(
        config.Vision.OutputWidth, config.Vision.NativeResolution, config.Vision.Layers, config.Vision.Width, config.Vision.Heads, config.Vision.PatchSize,
        config.Text.ContextLength, config.Text.VocabSize, config.Text.Width, config.Text.Heads, config.Text.Layers);

    public ClipModelConfig ToConfig() => new(
        new ClipVisionConfig(VisionWidth, VisionLayers, VisionHeads, VisionPatchSize, ImageResolution / VisionPatchSize, EmbedDim),
        new ClipTextConfig(VocabSize, ContextLength, TransformerWidth, TransformerLayers, TransformerHeads, EmbedDim));
}

/// <summary>A loaded tiny CLIP teacher: the model (in eval mode) and the tokenizer it was trained with.</summary>
/// <param name="Model">The full CLIP model.</param>
/// <param name="Tokenizer">WordPiece over the vocabulary named in the file's metadata.</param>
/// <param name="WeightsPath">The file it came from.</param>
public sealed record TinyClipTeacher(ClipModel Model, CaptionTokenizer Tokenizer, string WeightsPath) : IDisposable
{
    public void Dispose() => Model.Dispose();
}

/// <summary>
/// The tiny teacher's weight file: safetensors in OpenAI's full CLIP key layout (<c>visual.*</c>
/// plus the top-level text keys and <c>logit_scale</c>, fp32), so the code that loads it is the code
/// that loads real CLIP weights. Metadata: <c>format</c>, <c>architecture</c> (OpenAI's argument
/// names), <c>vocab</c> (the vocabulary's file name, beside the weights) and
/// <c>training_config</c> (the resolved <c>Umt:TeacherTraining</c> options as JSON).
/// </summary>
public static class TinyClipWeights
{
    /// <summary>Metadata key of the layout name.</summary>
    public const string FormatKey = "format";

    /// <summary>Metadata key of the architecture JSON.</summary>
    public const string ArchitectureKey = "architecture";

    /// <summary>Metadata key of the vocabulary's file name.</summary>
    public const string VocabKey = "vocab";

    /// <summary>Metadata key of the training options JSON.</summary>
    public const string TrainingConfigKey = "training_config";

    /// <summary>The layout written: OpenAI's full CLIP state dict.</summary>
    public const string Format = "openai-clip";

    /// <summary>The vocabulary file that goes with a weight file: <c>&lt;stem&gt;-vocab.txt</c> in the same folder.</summary>
    public static string VocabPathFor(string weightsPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(weightsPath))!, Path.GetFileNameWithoutExtension(weightsPath) + "-vocab.txt");

    /// <summary>
    /// Writes the model atomically: a temporary file in the same folder, flushed, then renamed over
    /// <paramref name="path"/>, so a reader never sees a torn file.
    /// </summary>
    public static void Save(ClipModel model, string path, string vocabFileName, string trainingConfigJson)
    {
        using var scope = NewDisposeScope();
        var metadata = new Dictionary<string, string>
        {
            [FormatKey] = Format,
            [ArchitectureKey] = JsonSerializer.Serialize(ClipArchitectureJson.From(model.Config)),
            [VocabKey] = vocabFileName,
            [TrainingConfigKey] = trainingConfigJson,
        };
        string full = Path.GetFullPath(path);
        var weights = model.state_dict();
        FiniteValues.Require(weights, "the teacher");
        SafetensorsFile.WriteAtomic(full, weights, metadata);
        DurableFiles.FlushFolder(Path.GetDirectoryName(full)!); // make the rename itself durable
    }

    /// <summary>
    /// Loads a CLIP weight file in OpenAI's full layout with its vocabulary. The architecture comes
    /// from the metadata when present, else from the shapes (heads by OpenAI's width/64 rule).
    /// </summary>
    /// <exception cref="FileNotFoundException">The weights or the vocabulary are missing.</exception>
    /// <exception cref="InvalidDataException">The file is not a CLIP state dict of a consistent architecture.</exception>
    public static TinyClipTeacher Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The teacher weights '{path}' do not exist; train them with: umt teacher train --config configs/teacher-tiny-clip.json", path);
        }
        var header = SafetensorsFile.ReadHeader(path);
        var config = header.Metadata.TryGetValue(ArchitectureKey, out string? architecture)
            ? (JsonSerializer.Deserialize<ClipArchitectureJson>(architecture)
               ?? throw new InvalidDataException($"'{path}': the '{ArchitectureKey}' metadata is empty.")).ToConfig()
            : ClipModelConfig.Infer(header.Tensors.ToDictionary(p => p.Key, p => p.Value.Shape.ToArray(), StringComparer.Ordinal));
        string vocab = header.Metadata.TryGetValue(VocabKey, out string? name)
            ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, name)
            : VocabPathFor(path);
        var tokenizer = CaptionTokenizer.Load(vocab, config.Text.ContextLength);
        if (tokenizer.VocabSize != config.Text.VocabSize)
        {
            throw new InvalidDataException($"'{path}' has a token embedding of {config.Text.VocabSize} rows but its vocabulary '{vocab}' holds {tokenizer.VocabSize} tokens.");
        }

        var model = new ClipModel(config);
        try
        {
            using var scope = NewDisposeScope();
            StateDictLoader.Load(model, SafetensorsFile.Read(path));
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return new TinyClipTeacher(model, tokenizer, Path.GetFullPath(path));
    }
}
