namespace Umt.Models.Clip;

/// <summary>
/// Architecture of an OpenAI CLIP vision tower.
/// </summary>
/// <param name="Width">Residual width (768 for B/16, 1024 for L/14).</param>
/// <param name="Layers">Residual attention blocks (12 / 24).</param>
/// <param name="Heads">Attention heads; OpenAI's rule is width / 64.</param>
/// <param name="PatchSize">Patch side in pixels (16 / 14).</param>
/// <param name="GridSide">Patches per side of the resolution it was trained at (positional table of 1 + GridSide² rows).</param>
/// <param name="OutputWidth">Width C of <c>proj</c>'s output (512 / 768).</param>
public sealed record ClipVisionConfig(int Width, int Layers, int Heads, int PatchSize, int GridSide, int OutputWidth)
{
    /// <summary>OpenAI CLIP ViT-B/16 at 224 (clip/model.py <c>build_model</c> on ViT-B-16.pt).</summary>
    public static ClipVisionConfig B16 { get; } = new(768, 12, 12, 16, 14, 512);

    /// <summary>OpenAI CLIP ViT-L/14 at 224.</summary>
    public static ClipVisionConfig L14 { get; } = new(1024, 24, 16, 14, 16, 768);

    /// <summary>The embedded default's tiny teacher tower (synthetic-benchmark.md): 64×64 frames, an 8×8 grid like the tiny student's.</summary>
    public static ClipVisionConfig Tiny { get; } = new(128, 6, 2, 8, 8, 128);

    /// <summary>The resolution whose grid the positional table was trained for.</summary>
    public int NativeResolution => GridSide * PatchSize;

    /// <summary>OpenAI's head rule (clip/model.py <c>build_model</c>: <c>vision_heads = vision_width // 64</c>), at least 1.</summary>
    public static int DefaultHeads(int width) => Math.Max(1, width / 64);

    /// <summary>
    /// Infers the architecture from a visual state dict's shapes (keys without <c>visual.</c>), as
    /// OpenAI's <c>build_model</c> does; <paramref name="heads"/> overrides the width/64 rule.
    /// </summary>
    /// <exception cref="InvalidDataException">A required key is missing or shapes disagree.</exception>
    public static ClipVisionConfig Infer(IReadOnlyDictionary<string, long[]> shapes, int? heads = null)
    {
        long[] Need(string key) => shapes.TryGetValue(key, out var shape)
            ? shape
            : throw new InvalidDataException($"The CLIP vision weights have no '{key}'; it is needed to infer the architecture.");

        var conv = Need("conv1.weight");          // [W, 3, p, p]
        var positions = Need("positional_embedding"); // [1 + G², W]
        var proj = Need("proj");                  // [W, C]
        if (conv.Length != 4 || positions.Length != 2 || proj.Length != 2)
        {
            throw new InvalidDataException(
                $"The CLIP vision weights have the wrong ranks: conv1.weight [{string.Join(", ", conv)}] (expected 4-D), "
                + $"positional_embedding [{string.Join(", ", positions)}] and proj [{string.Join(", ", proj)}] (expected 2-D).");
        }
        int layers = shapes.Keys
            .Where(k => k.StartsWith("transformer.resblocks.", StringComparison.Ordinal) && k.EndsWith(".attn.in_proj_weight", StringComparison.Ordinal))
            .Count();
        int width = (int)conv[0];
        int grid = (int)Math.Round(Math.Sqrt(positions[0] - 1));
        if (grid * grid + 1 != positions[0] || positions[1] != width || proj[0] != width || layers == 0)
        {
            throw new InvalidDataException(
                $"The CLIP vision weights are inconsistent: conv1.weight [{string.Join(", ", conv)}], positional_embedding [{string.Join(", ", positions)}], "
                + $"proj [{string.Join(", ", proj)}], {layers} blocks.");
        }
        return new ClipVisionConfig(width, layers, heads ?? DefaultHeads(width), (int)conv[2], grid, (int)proj[1]);
    }
}
