namespace Umt.Abstractions.Geometry;

/// <summary>
/// The student's token grid: <c>T</c> temporal slots (frames / tubelet) of <c>H × W</c> patches.
/// Tokens are ordered (t, h, w), t-major, everywhere in the project.
/// </summary>
public readonly record struct TokenGrid(int T, int H, int W)
{
    /// <summary>Tokens per slot (P in the notation of architecture.md).</summary>
    public int PerSlot => H * W;

    /// <summary>Tokens per clip (N = T·P).</summary>
    public int Count => T * H * W;

    public override string ToString() => $"{T}×{H}×{W}";
}
