namespace Umt.Runner.Workflows.TeacherTraining;

/// <summary>
/// How much a CLS→patch attention map concentrates on the main object: the share of the
/// attention mass on the object's box divided by the box's share of the patches
/// (synthetic-benchmark.md, "sanity checks"). 1 means no preference (uniform attention gives
/// exactly 1); a teacher that looks at the object scores well above 1. A patch counts by the
/// fraction of its area inside the box, so a small box (about 2×2 patches at 64² with patch 8)
/// is measured without rounding it to whole patches.
/// </summary>
public static class AttentionEnrichment
{
    /// <summary>Fraction of each patch's area inside the box, patches in row-major (h, w) order.</summary>
    /// <param name="box">(x0, y0, x1, y1) in [0, 1] of the frame.</param>
    /// <param name="gridSide">Patches per side (G).</param>
    /// <returns>Coverage <c>[G²]</c> in [0, 1].</returns>
    public static float[] BoxCoverage((float X0, float Y0, float X1, float Y1) box, int gridSide)
    {
        var coverage = new float[gridSide * gridSide];
        double cell = 1.0 / gridSide;
        for (int row = 0; row < gridSide; row++)
        {
            double overlapY = Math.Max(0, Math.Min(box.Y1, (row + 1) * cell) - Math.Max(box.Y0, row * cell));
            for (int column = 0; column < gridSide; column++)
            {
                double overlapX = Math.Max(0, Math.Min(box.X1, (column + 1) * cell) - Math.Max(box.X0, column * cell));
                coverage[row * gridSide + column] = (float)(overlapX * overlapY / (cell * cell));
            }
        }
        return coverage;
    }

    /// <summary>The enrichment of one attention map, or NaN when the box covers no patch or the map has no mass.</summary>
    /// <param name="attention">CLS→patch attention <c>[P]</c> (need not sum to 1: the CLS key's share is excluded by renormalising).</param>
    /// <param name="coverage">Box coverage per patch <c>[P]</c> (see <see cref="BoxCoverage"/>).</param>
    public static double Of(ReadOnlySpan<float> attention, ReadOnlySpan<float> coverage)
    {
        if (attention.Length != coverage.Length)
        {
            throw new ArgumentException($"Attention over {attention.Length} patches does not match a coverage over {coverage.Length}.", nameof(coverage));
        }
        double mass = 0, massInBox = 0, boxPatches = 0;
        for (int p = 0; p < attention.Length; p++)
        {
            mass += attention[p];
            massInBox += attention[p] * coverage[p];
            boxPatches += coverage[p];
        }
        if (mass <= 0 || boxPatches <= 0)
        {
            return double.NaN;
        }
        return (massInBox / mass) / (boxPatches / attention.Length);
    }
}
