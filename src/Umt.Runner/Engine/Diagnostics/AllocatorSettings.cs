namespace Umt.Runner.Engine.Diagnostics;

/// <summary>
/// The glibc malloc settings in force (build/env.sh sets them for ./umt and ./test.sh; a
/// process started another way may lack them): one arena, no mmap of large blocks, no trimming —
/// what keeps libtorch's RSS flat step after step (torchsharp-notes.md).
/// </summary>
/// <param name="Values">Each watched variable and its value (null: unset).</param>
public sealed record AllocatorSettings(IReadOnlyDictionary<string, string?> Values)
{
    /// <summary>The variables and the values build/env.sh gives them.</summary>
    public static readonly IReadOnlyList<(string Name, string Expected)> Watched =
    [
        ("MALLOC_ARENA_MAX", "1"),
        ("MALLOC_MMAP_MAX_", "0"),
        ("MALLOC_TRIM_THRESHOLD_", "1073741824"),
    ];

    /// <summary>Watched variables that are unset (the process did not come through build/env.sh).</summary>
    public IReadOnlyList<string> Unset => [.. Values.Where(v => v.Value is null).Select(v => v.Key)];

    public static AllocatorSettings FromEnvironment() =>
        new(Watched.ToDictionary(w => w.Name, w => Environment.GetEnvironmentVariable(w.Name)));
}
