namespace Umt.Abstractions.Geometry;

/// <summary>Static facts about the student that plugins size themselves by.</summary>
/// <param name="Width">Token width D.</param>
/// <param name="Depth">Number of blocks.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="Frames">Input frames per clip.</param>
/// <param name="ImageSize">Input side in pixels (square frames).</param>
/// <param name="PatchSize">Spatial patch side in pixels.</param>
/// <param name="Tubelet">Frames per temporal token slot.</param>
public sealed record StudentSpec(int Width, int Depth, int Heads, int Frames, int ImageSize, int PatchSize, int Tubelet)
{
    /// <summary>The token grid these numbers give.</summary>
    public TokenGrid Grid => new(Frames / Tubelet, ImageSize / PatchSize, ImageSize / PatchSize);

    /// <summary>Pixel values per token: 3 channels × tubelet × patch².</summary>
    public int PixelsPerToken => 3 * Tubelet * PatchSize * PatchSize;
}
