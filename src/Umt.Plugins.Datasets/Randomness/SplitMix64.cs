namespace Umt.Plugins.Datasets.Randomness;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, 2014): a fixed integer algorithm, so clip <c>i</c> of seed
/// <c>s</c> is the same pixels on every machine and .NET version (synthetic-benchmark.md,
/// "deterministic"). System.Random's algorithms are unspecified and may change between releases.
/// A mutable struct: pass it by <c>ref</c>.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    /// <summary>The state step (2⁶⁴/φ): the stream is <c>Mix(seed + n·Golden)</c>, n = 1, 2, ...</summary>
    public const ulong Golden = 0x9E3779B97F4A7C15UL;

    private ulong state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        state += Golden;
        return Mix(state);
    }

    /// <summary>Uniform in [0, 1), 53 bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [0, n) (Lemire's multiply-shift; the bias is below 2⁻³²).</summary>
    public int NextInt(int n) => (int)(((Next() >> 32) * (ulong)n) >> 32);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>SplitMix64's finaliser: a bijective, well-mixing 64-bit hash.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Hash of a key and two integer coordinates (lattice values, per-frame draws).</summary>
    public static ulong Hash(ulong key, long a, long b) =>
        Mix(Mix(key ^ ((ulong)a * Golden)) + ((ulong)b * 0xC2B2AE3D27D4EB4FUL));

    /// <summary>Combines values into one key, each through the finaliser, so nearby inputs give unrelated keys.</summary>
    public static ulong Key(params ReadOnlySpan<ulong> values)
    {
        ulong key = Golden;
        foreach (ulong value in values)
        {
            key = Mix((key + Golden) ^ value);
        }
        return key;
    }
}
