using System.Globalization;
using System.Runtime.InteropServices;
using Umt.Abstractions.Geometry;
using Umt.Models.Layers;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Layers;

/// <summary>
/// The resized position table against PyTorch itself: the steps of the reference's
/// <c>get_sinusoid_encoding_table</c> (unmasked_teacher modeling_finetune.py) run by Debian's
/// python3-torch on the same float64 table.
/// </summary>
public sealed class PositionTableInterpolationTests
{
    // argv: table file (float64 little-endian), T H W of the source, T H W of the target, D, output file.
    private const string ReferenceSteps = """
        import sys, torch
        import torch.nn.functional as F
        src, T, H, W, T2, H2, W2, C, out = sys.argv[1], *map(int, sys.argv[2:9]), sys.argv[9]
        table = torch.frombuffer(bytearray(open(src, 'rb').read()), dtype=torch.float64).reshape(1, T * H * W, C)
        if H != H2:
            x = table.reshape(-1, T, H, W, C).reshape(-1, H, W, C).permute(0, 3, 1, 2)
            x = F.interpolate(x, size=(H2, W2), mode='bicubic', align_corners=False)
            table = x.permute(0, 2, 3, 1).reshape(-1, T, H2, W2, C).flatten(1, 3)
        if T != T2:
            x = table.reshape(-1, T, H2, W2, C).permute(0, 2, 3, 4, 1).reshape(-1, C, T)
            x = F.interpolate(x, size=T2, mode='linear')
            table = x.reshape(1, H2, W2, C, T2).permute(0, 4, 1, 2, 3).flatten(1, 3)
        assert table.dtype == torch.float64
        open(out, 'wb').write(table.contiguous().numpy().tobytes())
        """;

    [Theory]
    [InlineData(2, 3, 3, 4, 5, 5)] // both: more slots, finer grid
    [InlineData(8, 4, 4, 4, 4, 4)] // time only: fewer slots
    [InlineData(2, 6, 6, 2, 4, 4)] // space only: coarser grid
    public void Resized_table_equals_torch_interpolate_on_the_same_float64_table(int t, int h, int w, int t2, int h2, int w2)
    {
        const int width = 6;
        TokenGrid from = new(t, h, w), to = new(t2, h2, w2);
        using var temp = new TemporaryDirectory();
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(7);
        var table = randn([from.Count, width], dtype: ScalarType.Float64, generator: generator); // [N, D]
        File.WriteAllBytes(temp.Combine("table.bin"), table.bytes.ToArray());
        File.WriteAllText(temp.Combine("steps.py"), ReferenceSteps);

        var result = PythonTorch.Run(temp.Combine("steps.py"),
            [temp.Combine("table.bin"), .. new[] { t, h, w, t2, h2, w2, width }.Select(n => n.ToString(CultureInfo.InvariantCulture)), temp.Combine("out.bin")]);
        result.ExitCode.Should().Be(0, result.Output);

        var resized = PositionTableInterpolation.Resize(table, from, to);                         // [N', D]
        var expected = MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(temp.Combine("out.bin"))).ToArray();
        resized.shape.Should().Equal(to.Count, width);
        resized.dtype.Should().Be(ScalarType.Float64);
        resized.data<double>().ToArray().Should().Equal(expected, (a, b) => Math.Abs(a - b) <= 1e-12);
    }

    [Fact]
    public void A_table_of_the_wrong_size_for_its_grid_is_refused_naming_both()
    {
        using var table = zeros(10, 4);

        var act = () => PositionTableInterpolation.Resize(table, new TokenGrid(2, 2, 2), new TokenGrid(4, 2, 2));

        act.Should().Throw<ArgumentException>().WithMessage("*2×2×2 must be [8, D]; got [10, 4]*");
    }
}
