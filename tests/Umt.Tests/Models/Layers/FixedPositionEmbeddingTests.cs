using TorchSharp;
using Umt.Models.Layers;
using static TorchSharp.torch;

namespace Umt.Tests.Models.Layers;

public sealed class FixedPositionEmbeddingTests
{
    private sealed class Owner : nn.Module
    {
        private readonly FixedPositionEmbedding pos_embed;
        private readonly TorchSharp.Modules.Linear head;

        public Owner() : base(nameof(Owner))
        {
            pos_embed = new FixedPositionEmbedding(6, 4);
            head = nn.Linear(4, 2);
            RegisterComponents();
        }

        public Tensor Table => pos_embed.Rows;
    }

    [Fact]
    public void The_table_is_no_state_dict_entry_of_its_owner()
    {
        using var owner = new Owner();

        owner.state_dict().Keys.Should().BeEquivalentTo("head.weight", "head.bias");
        owner.named_buffers().Should().BeEmpty();
    }

    [Fact]
    public void The_table_follows_its_owner_across_dtypes_and_devices()
    {
        using var owner = new Owner();
        using var expected = SinCosPositionTable.Create(6, 4);

        owner.to(ScalarType.Float64);
        owner.Table.dtype.Should().Be(ScalarType.Float64);
        owner.Table.to(ScalarType.Float32).equal(expected).all().item<bool>().Should().BeTrue();

        owner.to(DeviceType.META);
        owner.Table.device_type.Should().Be(DeviceType.META);
    }
}
