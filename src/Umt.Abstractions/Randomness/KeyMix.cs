using System.Text;

namespace Umt.Abstractions.Randomness;

/// <summary>
/// Stable 64-bit mixing for keyed randomness: FNV-1a for purpose strings and SplitMix64's
/// finaliser to combine integers. Both are fixed algorithms, so keys are the same on every
/// machine, process and .NET version (unlike <see cref="string.GetHashCode()"/>).
/// </summary>
public static class KeyMix
{
    /// <summary>FNV-1a over the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Hash(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }

    /// <summary>Combines values into one well-mixed key (SplitMix64 finaliser after each value).</summary>
    public static ulong Combine(params ReadOnlySpan<long> values)
    {
        ulong state = 0x9E3779B97F4A7C15UL;
        foreach (long value in values)
        {
            state = Finalise(state ^ (ulong)value);
        }
        return state;
    }

    /// <inheritdoc cref="Combine(ReadOnlySpan{long})"/>
    public static ulong Combine(long seed, long step, long index, ulong purpose) =>
        Combine([seed, step, index, unchecked((long)purpose)]);

    private static ulong Finalise(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
