using Umt.Runner.Engine.Data;

namespace Umt.Tests.Runner;

/// <summary>The MetaLoader order of stage 2: each stream's full batches once per epoch, shuffled, a function of (seed, step).</summary>
public sealed class MediaOrderTests
{
    [Fact]
    public void Every_epoch_reads_each_streams_batches_exactly_once_in_a_shuffled_order()
    {
        var order = new MediaOrder(seed: 3, videoBatches: 7, imageBatches: 5);

        order.StepsPerEpoch.Should().Be(12);
        var epochs = Enumerable.Range(0, 4).Select(e => Enumerable.Range(e * 12, 12).Select(s => order.IsImageStep(s)).ToArray()).ToList();
        epochs.Should().AllSatisfy(epoch => epoch.Count(image => image).Should().Be(5, "5 image batches per epoch"));
        epochs.Select(e => string.Concat(e.Select(i => i ? 'I' : 'V'))).Distinct().Should().HaveCountGreaterThan(1, "each epoch is shuffled anew");
        epochs.Should().NotContain(e => e.Take(7).All(i => !i), "the order is shuffled, not videos first");
    }

    [Fact]
    public void The_order_depends_only_on_seed_and_step_so_a_resumed_run_or_another_process_agrees()
    {
        var first = new MediaOrder(3, 7, 5);
        var again = new MediaOrder(3, 7, 5);
        var otherSeed = new MediaOrder(4, 7, 5);

        // Query out of order, as a run resumed at step 30 would.
        var forward = Enumerable.Range(0, 48).Select(s => first.IsImageStep(s)).ToArray();
        var backward = Enumerable.Range(0, 48).Reverse().Select(s => again.IsImageStep(s)).Reverse().ToArray();

        backward.Should().Equal(forward);
        Enumerable.Range(0, 48).Select(s => otherSeed.IsImageStep(s)).Should().NotEqual(forward);
    }

    [Fact]
    public void Without_image_batches_every_step_reads_video()
    {
        var order = new MediaOrder(0, 4, 0);

        Enumerable.Range(0, 20).Should().OnlyContain(step => !order.IsImageStep(step));
    }
}
