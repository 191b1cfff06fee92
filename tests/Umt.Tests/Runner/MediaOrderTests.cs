using Umt.Runner.Engine.Data;

namespace Umt.Tests.Runner;

/// <summary>The MetaLoader order of stage 2: each stream's full batches once per epoch, shuffled, a function of (seed, step).</summary>
public sealed class MediaOrderTests
{
    private const int Image = 1;

    [Fact]
    public void Every_epoch_reads_each_streams_batches_exactly_once_in_a_shuffled_order()
    {
        var order = new MediaOrder(seed: 3, batchesPerStream: [7, 5]);

        order.StepsPerEpoch.Should().Be(12);
        var epochs = Enumerable.Range(0, 4).Select(e => Enumerable.Range(e * 12, 12).Select(s => order.StreamAt(s) == Image).ToArray()).ToList();
        epochs.Should().AllSatisfy(epoch => epoch.Count(image => image).Should().Be(5, "5 image batches per epoch"));
        epochs.Select(e => string.Concat(e.Select(i => i ? 'I' : 'V'))).Distinct().Should().HaveCountGreaterThan(1, "each epoch is shuffled anew");
        epochs.Should().NotContain(e => e.Take(7).All(i => !i), "the order is shuffled, not videos first");
    }

    [Fact]
    public void The_order_depends_only_on_seed_and_step_so_a_resumed_run_or_another_process_agrees()
    {
        var first = new MediaOrder(3, [7, 5]);
        var again = new MediaOrder(3, [7, 5]);
        var otherSeed = new MediaOrder(4, [7, 5]);

        // Query out of order, as a run resumed at step 30 would.
        var forward = Enumerable.Range(0, 48).Select(s => first.StreamAt(s)).ToArray();
        var backward = Enumerable.Range(0, 48).Reverse().Select(s => again.StreamAt(s)).Reverse().ToArray();

        backward.Should().Equal(forward);
        Enumerable.Range(0, 48).Select(s => otherSeed.StreamAt(s)).Should().NotEqual(forward);
    }

    [Fact]
    public void With_the_video_stream_alone_every_step_reads_it()
    {
        var order = new MediaOrder(0, [4]);

        Enumerable.Range(0, 20).Should().OnlyContain(step => order.StreamAt(step) == 0);
    }
}
