namespace Umt.Abstractions.Hardware;

/// <summary>One instruction-set extension libtorch's kernels dispatch on, and whether this CPU has it.</summary>
/// <param name="Name">As users and vendors write it (AVX-512, AMX-BF16).</param>
/// <param name="Flag">The flag the Linux kernel lists in <c>/proc/cpuinfo</c>.</param>
public sealed record CpuFeature(string Name, string Flag, bool Present);

/// <summary>
/// The CPU as <c>/proc/cpuinfo</c> describes it: model, logical cores, and the ISA features that
/// decide libtorch's fast paths. One reader for everything that asks (<c>umt doctor</c>, the
/// teacher's <c>Precision = auto</c>).
/// </summary>
public sealed record CpuInfo(string Model, int LogicalCores, IReadOnlyList<CpuFeature> Features)
{
    public const string ProcPath = "/proc/cpuinfo";

    private static readonly Lazy<CpuInfo> ThisMachine = new(Read);

    /// <summary>This machine's CPU, read once per process.</summary>
    public static CpuInfo Machine => ThisMachine.Value;

    /// <summary>
    /// What changes libtorch's CPU speed here: AVX2 and AVX-512 pick oneDNN/MKL's GEMM kernels,
    /// AVX512-VNNI and AVX512-BF16 make int8/bf16 matmuls native, AMX (Sapphire Rapids and later)
    /// runs bf16 matmuls on tiles (the teacher's Precision = bf16).
    /// </summary>
    public static readonly IReadOnlyList<(string Name, string Flag)> Watched =
    [
        ("AVX2", "avx2"),
        ("AVX-512", "avx512f"),
        ("AVX512-VNNI", "avx512_vnni"),
        ("AVX512-BF16", "avx512_bf16"),
        ("AMX-TILE", "amx_tile"),
        ("AMX-BF16", "amx_bf16"),
    ];

    /// <summary>Whether the CPU has the watched feature whose <c>/proc/cpuinfo</c> flag is <paramref name="flag"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="flag"/> is not one of <see cref="Watched"/>.</exception>
    public bool Has(string flag) =>
        (Features.FirstOrDefault(f => f.Flag == flag) ?? throw new ArgumentException($"'{flag}' is not a watched CPU flag ({string.Join(", ", Watched.Select(w => w.Flag))}).", nameof(flag))).Present;

    public static CpuInfo Read() =>
        File.Exists(ProcPath) ? Parse(File.ReadAllText(ProcPath)) : new CpuInfo("unknown (no /proc/cpuinfo)", Environment.ProcessorCount, Watch([]));

    /// <summary>Reads the x86 layout: one block per logical CPU, <c>key\t: value</c> lines; model and flags from the first block.</summary>
    public static CpuInfo Parse(string text)
    {
        string? model = null;
        string? flags = null;
        int processors = 0;
        foreach (string line in text.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }
            string key = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "processor":
                    processors++;
                    break;
                case "model name":
                    model ??= value;
                    break;
                case "flags":
                    flags ??= value;
                    break;
            }
        }
        var set = (flags ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return new CpuInfo(model ?? "unknown", processors > 0 ? processors : Environment.ProcessorCount, Watch(set));
    }

    private static List<CpuFeature> Watch(HashSet<string> flags) =>
        [.. Watched.Select(w => new CpuFeature(w.Name, w.Flag, flags.Contains(w.Flag)))];
}
