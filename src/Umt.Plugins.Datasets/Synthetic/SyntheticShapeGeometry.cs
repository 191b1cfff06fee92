namespace Umt.Plugins.Datasets.Synthetic;

/// <summary>
/// Each shape as a signed distance in units of its radius (negative inside), in image
/// coordinates (x right, y down), centred on the object's position. The distance gives
/// one-pixel anti-aliasing for free, which keeps small objects at 64×64 recognisable and edges
/// stable as they move by fractions of a pixel. Every shape fits the unit box [-1, 1]², so a
/// trajectory kept one radius from the border keeps the whole object in the frame.
/// </summary>
internal static class SyntheticShapeGeometry
{
    private const float SquareHalfSide = 0.8f;
    private const float CrossHalfWidth = 0.3f;
    private const float RingInner = 0.55f;

    // Star inner-vertex radius: fatter than a pentagram's 0.38, so a small star's points survive 64×64.
    private const float StarInner = 0.5f;

    // Triangle (0,-1), (1,0.8), (-1,0.8): apex up, nearly equilateral, filling its box.
    private static readonly float SlantNormalX = 1.8f / MathF.Sqrt(1.8f * 1.8f + 1f);
    private static readonly float SlantNormalY = -1f / MathF.Sqrt(1.8f * 1.8f + 1f);
    private static readonly float SlantOffset = -SlantNormalY; // n·(0, -1)

    /// <summary>Signed distance of point (u, v) to the shape, in radii.</summary>
    public static float Distance(SyntheticShape shape, float u, float v)
    {
        switch (shape)
        {
            case SyntheticShape.Circle:
                return MathF.Sqrt(u * u + v * v) - 1f;
            case SyntheticShape.Square:
                return MathF.Max(MathF.Abs(u), MathF.Abs(v)) - SquareHalfSide;
            case SyntheticShape.Triangle:
                {
                    float slant = SlantNormalX * MathF.Abs(u) + SlantNormalY * v - SlantOffset;
                    return MathF.Max(slant, v - 0.8f);
                }
            case SyntheticShape.Cross:
                {
                    float au = MathF.Abs(u), av = MathF.Abs(v);
                    return MathF.Min(MathF.Max(au - CrossHalfWidth, av - 1f), MathF.Max(au - 1f, av - CrossHalfWidth));
                }
            case SyntheticShape.Ring:
                return MathF.Abs(MathF.Sqrt(u * u + v * v) - (1f + RingInner) / 2f) - (1f - RingInner) / 2f;
            case SyntheticShape.Star:
                return Star(u, -v); // the formula below is y-up, point at the top
            default:
                throw new ArgumentOutOfRangeException(nameof(shape));
        }
    }

    /// <summary>The shape's tight box in radii: (x0, y0, x1, y1), inside [-1, 1]².</summary>
    public static (float X0, float Y0, float X1, float Y1) Extent(SyntheticShape shape) => shape switch
    {
        SyntheticShape.Square => (-SquareHalfSide, -SquareHalfSide, SquareHalfSide, SquareHalfSide),
        SyntheticShape.Triangle => (-1f, -1f, 1f, 0.8f),
        // Outer points at 90° + k·72°: x = ±sin 72°, lowest y = cos 36° (y down).
        SyntheticShape.Star => (-0.9510565f, -1f, 0.9510565f, 0.809017f),
        _ => (-1f, -1f, 1f, 1f),
    };

    // Five-pointed star of outer radius 1 and inner radius StarInner: fold the plane into one
    // point's wedge by reflections, then take the distance to that point's edge (after Inigo
    // Quilez's sdStar5, iquilezles.org "2D distance functions").
    private static float Star(float x, float y)
    {
        const float K1x = 0.809016994f, K1y = -0.587785252f;
        const float K2x = -K1x, K2y = K1y;
        x = MathF.Abs(x);
        float d1 = 2f * MathF.Max(K1x * x + K1y * y, 0f);
        x -= d1 * K1x;
        y -= d1 * K1y;
        float d2 = 2f * MathF.Max(K2x * x + K2y * y, 0f);
        x -= d2 * K2x;
        y -= d2 * K2y;
        x = MathF.Abs(x);
        y -= 1f;
        float bax = StarInner * -K1y, bay = StarInner * K1x - 1f;
        float h = Math.Clamp((x * bax + y * bay) / (bax * bax + bay * bay), 0f, 1f);
        float dx = x - bax * h, dy = y - bay * h;
        return MathF.Sqrt(dx * dx + dy * dy) * MathF.Sign(y * bax - x * bay);
    }
}
