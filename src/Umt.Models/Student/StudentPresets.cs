namespace Umt.Models.Student;

/// <summary>
/// Named student sizes. <c>base</c> and <c>large</c> are UMT-B/16 and UMT-L/16
/// (umt-method.md §2.1); <c>small</c> is VideoMAE ViT-S; <c>tiny</c> (192 wide, 6 blocks) is the
/// CPU/CI size. Geometry and drop-path keep <see cref="StudentConfig"/>'s defaults.
/// </summary>
public static class StudentPresets
{
    private static readonly Dictionary<string, StudentConfig> Presets = new(StringComparer.Ordinal)
    {
        ["tiny"] = new() { Width = 192, Depth = 6, Heads = 3 },
        ["small"] = new() { Width = 384, Depth = 12, Heads = 6 },
        ["base"] = new() { Width = 768, Depth = 12, Heads = 12 },
        ["large"] = new() { Width = 1024, Depth = 24, Heads = 16 },
    };

    /// <summary>The preset names, smallest first.</summary>
    public static IReadOnlyList<string> Names { get; } = ["tiny", "small", "base", "large"];

    /// <summary>The preset called <paramref name="name"/> (exact, case-sensitive).</summary>
    /// <exception cref="ArgumentException">The name is not a preset; the message lists the valid ones.</exception>
    public static StudentConfig Get(string name) =>
        Presets.TryGetValue(name, out var preset)
            ? preset
            : throw new ArgumentException(
                $"Unknown student preset '{name}'. Valid presets: {string.Join(", ", Names)}.", nameof(name));
}
