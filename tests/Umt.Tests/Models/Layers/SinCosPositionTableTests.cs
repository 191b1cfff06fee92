using Umt.Models.Layers;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Layers;

public sealed class SinCosPositionTableTests
{
    [Theory]
    [InlineData(1568, 16)]   // UMT stage-1 token count: angles up to ~1.5e3 rad, where float32 math would be off by ~1e-4
    [InlineData(7, 5)]       // odd width: the last channel is a sin without its cos
    public void Table_matches_the_sinusoid_formula_computed_in_double(int positions, int width)
    {
        using var table = SinCosPositionTable.Create(positions, width);

        table.dtype.Should().Be(ScalarType.Float32);
        table.shape.Should().Equal(positions, width);
        var values = table.data<float>().ToArray();
        var worst = 0.0;
        for (var pos = 0; pos < positions; pos++)
        {
            for (var channel = 0; channel < width; channel++)
            {
                var pair = channel / 2;
                var angle = pos / Math.Pow(10000, 2.0 * pair / width);
                var expected = channel % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle);
                worst = Math.Max(worst, Math.Abs(values[pos * width + channel] - expected));
            }
        }
        worst.Should().BeLessThan(1e-6);
    }
}
