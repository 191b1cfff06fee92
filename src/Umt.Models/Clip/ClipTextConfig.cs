namespace Umt.Models.Clip;

/// <summary>
/// Architecture of an OpenAI CLIP text tower (clip/model.py <c>CLIP</c>'s text half).
/// </summary>
/// <param name="VocabSize">Rows of <c>token_embedding</c> (49408 for OpenAI's BPE; the WordPiece vocab's size for the tiny teacher).</param>
/// <param name="ContextLength">Tokens per caption: rows of <c>positional_embedding</c> (77 for OpenAI).</param>
/// <param name="Width">Residual width (512 for B/16).</param>
/// <param name="Layers">Residual attention blocks (12 for B/16).</param>
/// <param name="Heads">Attention heads; OpenAI's rule is width / 64.</param>
/// <param name="OutputWidth">Width C of <c>text_projection</c>'s output: the joint embedding, equal to the vision tower's.</param>
public sealed record ClipTextConfig(int VocabSize, int ContextLength, int Width, int Layers, int Heads, int OutputWidth)
{
    /// <summary>OpenAI CLIP ViT-B/16's text tower (clip/model.py <c>build_model</c> on ViT-B-16.pt).</summary>
    public static ClipTextConfig B16 { get; } = new(49408, 77, 512, 12, 8, 512);

    /// <summary>OpenAI's head rule (clip/model.py <c>build_model</c>: <c>transformer_heads = transformer_width // 64</c>), at least 1.</summary>
    public static int DefaultHeads(int width) => Math.Max(1, width / 64);

    /// <summary>
    /// Infers the architecture from the text keys of a full OpenAI state dict (top-level
    /// <c>token_embedding.weight</c>, <c>positional_embedding</c>, <c>text_projection</c>,
    /// <c>transformer.resblocks.{i}</c>), as OpenAI's <c>build_model</c> does;
    /// <paramref name="heads"/> overrides the width/64 rule.
    /// </summary>
    /// <exception cref="InvalidDataException">A required key is missing or shapes disagree.</exception>
    public static ClipTextConfig Infer(IReadOnlyDictionary<string, long[]> shapes, int? heads = null)
    {
        long[] Need(string key) => shapes.TryGetValue(key, out var shape)
            ? shape
            : throw new InvalidDataException($"The CLIP weights have no '{key}'; it is needed to infer the text tower's architecture.");

        var embedding = Need("token_embedding.weight");  // [V, W]
        var positions = Need("positional_embedding");    // [L, W]
        var projection = Need("text_projection");        // [W, C]
        int layers = shapes.Keys
            .Where(k => k.StartsWith("transformer.resblocks.", StringComparison.Ordinal) && k.EndsWith(".attn.in_proj_weight", StringComparison.Ordinal))
            .Count();
        int width = (int)embedding[1];
        if (embedding.Length != 2 || positions.Length != 2 || projection.Length != 2 || positions[1] != width || projection[0] != width || layers == 0)
        {
            throw new InvalidDataException(
                $"The CLIP text weights are inconsistent: token_embedding.weight [{string.Join(", ", embedding)}], positional_embedding [{string.Join(", ", positions)}], "
                + $"text_projection [{string.Join(", ", projection)}], {layers} blocks.");
        }
        return new ClipTextConfig((int)embedding[0], (int)positions[0], width, layers, heads ?? DefaultHeads(width), (int)projection[1]);
    }
}
