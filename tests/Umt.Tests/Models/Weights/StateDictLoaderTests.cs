using TorchSharp.Modules;
using Umt.Models.Weights;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Weights;

public sealed class StateDictLoaderTests
{
    private sealed class Pair : nn.Module
    {
        private readonly Linear lin;
        private readonly LayerNorm norm;

        public Pair() : base(nameof(Pair))
        {
            lin = nn.Linear(4, 2);
            norm = nn.LayerNorm(4);
            RegisterComponents();
        }
    }

    [Fact]
    public void Tensors_under_the_prefix_are_copied_keeping_the_module_dtype()
    {
        using var scope = NewDisposeScope();
        using var module = new Pair();
        var source = new Dictionary<string, Tensor>
        {
            ["encoder.lin.weight"] = arange(8, dtype: ScalarType.Float64).reshape(2, 4),
            ["encoder.lin.bias"] = tensor(new[] { 5.0, 6.0 }),
            ["encoder.norm.weight"] = full(4, 3.0, dtype: ScalarType.Float64),
            ["encoder.norm.bias"] = zeros(4, dtype: ScalarType.Float64),
            ["clip_decoder.0.head.weight"] = zeros(3, 3),   // another module's key: ignored
        };

        StateDictLoader.Load(module, source, "encoder.");

        var state = module.state_dict();
        state["lin.weight"].dtype.Should().Be(ScalarType.Float32);
        state["lin.weight"].data<float>().ToArray().Should().Equal(0, 1, 2, 3, 4, 5, 6, 7);
        state["lin.bias"].data<float>().ToArray().Should().Equal(5, 6);
        state["norm.weight"].data<float>().ToArray().Should().Equal(3, 3, 3, 3);
    }

    [Fact]
    public void One_exception_lists_every_missing_unexpected_and_wrong_shaped_key_and_nothing_is_copied()
    {
        using var scope = NewDisposeScope();
        using var module = new Pair();
        var biasBefore = module.state_dict()["lin.bias"].clone();
        var source = new Dictionary<string, Tensor>
        {
            ["lin.weight"] = zeros(3, 4),
            ["lin.bias"] = full(2, 9f),
            ["norm.bias"] = zeros(5),
            ["head.weight"] = zeros(1),
        };

        var load = () => StateDictLoader.Load(module, source);

        var error = load.Should().Throw<StateDictMismatchException>().Which;
        error.MissingKeys.Should().Equal("norm.weight");
        error.UnexpectedKeys.Should().Equal("head.weight");
        error.WrongShapes.Select(w => w.Key).Should().Equal("lin.weight", "norm.bias");
        error.Message.Should().ContainAll(
            "missing keys (1): norm.weight",
            "unexpected keys (1): head.weight",
            "lin.weight module [2, 4] vs checkpoint [3, 4]",
            "norm.bias module [4] vs checkpoint [5]");
        module.state_dict()["lin.bias"].equal(biasBefore).all().item<bool>().Should().BeTrue();
    }
}
