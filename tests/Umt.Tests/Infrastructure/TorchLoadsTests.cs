using static TorchSharp.torch;

namespace Umt.Tests.Infrastructure;

public sealed class TorchLoadsTests
{
    [Fact]
    public void Libtorch_loads_and_computes_a_matmul()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var product = a.matmul(a);
        product.data<float>().ToArray().Should().Equal(7f, 10f, 15f, 22f);
    }
}
