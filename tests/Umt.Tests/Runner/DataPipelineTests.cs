using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Serilog.Core;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Engine.Data;
using Umt.Tests.Datasets;

namespace Umt.Tests.Runner;

/// <summary>
/// The training data pipeline under the conditions a long run meets: a resume mid-epoch, broken
/// files, too many broken files, another worker count, a dataset bug. Every batch must stay a
/// function of (seed, cursor) alone, and a failure must surface instead of hanging or vanishing.
/// </summary>
public sealed class DataPipelineTests
{
    private const int Clips = 40;
    private const int Batch = 4;
    private const long Seed = 1234;
    private const int BatchesPerEpoch = Clips / Batch;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Resuming_mid_epoch_continues_with_the_same_batches_as_an_uninterrupted_run(bool flaky)
    {
        long[] unreadable = flaky ? [3, 17, 22] : [];
        const int total = 14, resumeAfter = 5;   // 14 batches cross the epoch boundary at 10

        List<HostBatch> uninterrupted, resumed;
        using (var dataset = Flaky(unreadable))
        using (var assembler = new BatchAssembler(dataset, Seed, Batch, default, workers: 2, Failures(0.5)))
        {
            uninterrupted = Take(assembler, total);
        }
        var cursor = uninterrupted[resumeAfter - 1].After;
        cursor.Should().Be(new DataCursor(0, resumeAfter * Batch));
        using (var dataset = Flaky(unreadable))
        using (var assembler = new BatchAssembler(dataset, Seed, Batch, cursor, workers: 2, Failures(0.5)))
        {
            resumed = Take(assembler, total - resumeAfter);
        }

        uninterrupted[^1].After.Should().Be(new DataCursor(1, (total - BatchesPerEpoch) * Batch));
        for (int i = 0; i < resumed.Count; i++)
        {
            var expected = uninterrupted[resumeAfter + i];
            resumed[i].Indices.Should().Equal(expected.Indices, $"batch {resumeAfter + i + 1} has the same samples after a resume");
            resumed[i].Pixels.Should().Equal(expected.Pixels, $"batch {resumeAfter + i + 1} has the same content (replacements included) after a resume");
            resumed[i].After.Should().Be(expected.After);
        }
        if (flaky)
        {
            uninterrupted.Concat(resumed).SelectMany(b => b.Indices).Should().Contain(unreadable,
                "the run reads the broken samples, so the replacements are part of what is compared");
        }
    }

    [Fact]
    public void Unreadable_samples_are_replaced_counted_once_and_never_read_again()
    {
        long[] unreadable = [3, 17, 22];
        using var synthetic = SyntheticDatasetHarness.Create(new SyntheticOptions { Clips = Clips }, frames: 2, imageSize: 32);
        var pixels = Enumerable.Range(0, Clips).Select(i => synthetic.Read(i, 0).Pixels).ToArray();   // synthetic pixels depend on the index only
        using var dataset = Flaky(unreadable);
        var failures = Failures(0.5);

        List<HostBatch> batches;
        using (var assembler = new BatchAssembler(dataset, Seed, Batch, default, workers: 2, failures))
        {
            batches = Take(assembler, 2 * BatchesPerEpoch);
        }

        batches.SelectMany(b => b.Indices).Count(unreadable.Contains).Should().Be(2 * unreadable.Length, "each broken sample comes up once per epoch");
        failures.Count.Should().Be(unreadable.Length);
        failures.Indices.Should().Equal(unreadable);
        failures.ByReason.Select(kv => (kv.Key, kv.Value)).Should().Equal([("broken", unreadable.Length)]);
        // With this seed no replacement chain passes through another broken sample, so two workers
        // never race to read the same broken sample before either records it.
        foreach (long index in unreadable)
        {
            dataset.Reads(index).Should().Be(1, $"sample {index} failed once and is known bad from then on");
        }

        int rowSize = pixels[0].Length;
        foreach (var batch in batches)
        {
            batch.Indices.Should().HaveCount(Batch);
            batch.Samples.Should().HaveCount(Batch);
            batch.Pixels.Should().HaveCount(Batch * rowSize, "a batch is always full");
            for (int row = 0; row < Batch; row++)
            {
                var content = batch.Pixels[(row * rowSize)..((row + 1) * rowSize)];
                foreach (long bad in unreadable)
                {
                    content.SequenceEqual(pixels[bad]).Should().BeFalse($"row {row} of a batch never holds broken sample {bad}");
                }
                long index = batch.Indices[row];
                if (unreadable.Contains(index))
                {
                    Enumerable.Range(0, Clips).Where(i => !unreadable.Contains(i)).Should().Contain(i => content.SequenceEqual(pixels[i]),
                        $"broken sample {index} is replaced by a readable one");
                }
                else
                {
                    content.SequenceEqual(pixels[index]).Should().BeTrue($"row {row} holds sample {index} itself");
                }
            }
        }
    }

    [Fact]
    public void More_failures_than_the_limit_stop_the_run_with_a_clear_error_and_fewer_do_not()
    {
        long[] half = [.. Enumerable.Range(0, Clips / 2).Select(i => 2L * i)];

        using (var dataset = Flaky(half))
        using (var pipeline = new BatchPipeline(dataset, Seed, Batch, default, workers: 2, Failures(0.1)))
        {
            var run = () => Within(() =>
            {
                for (int i = 0; i < 2 * BatchesPerEpoch; i++)
                {
                    pipeline.Next();
                }
            });
            var error = run.Should().Throw<TooManyFailedSamplesException>().Which;
            error.Message.Should().Contain("Umt:Run:MaxFailureFraction").And.Contain("(4)", "the limit is ⌊0.1 × 40⌋");
            var counts = Regex.Match(error.Message, @"^(\d+) of (\d+) samples could not be read");
            counts.Success.Should().BeTrue($"the message starts with the counts: {error.Message}");
            int.Parse(counts.Groups[1].Value).Should().BeInRange(5, half.Length, "more failed than the limit of 4");
            counts.Groups[2].Value.Should().Be("40");
        }

        using (var dataset = Flaky(half))
        using (var pipeline = new BatchPipeline(dataset, Seed, Batch, default, workers: 2, Failures(0.6)))
        {
            var batches = Within(() => Enumerable.Range(0, 2 * BatchesPerEpoch).Select(_ => pipeline.Next()).ToList());
            batches.Should().HaveCount(2 * BatchesPerEpoch);
            batches[^1].After.Should().Be(new DataCursor(1, Clips));
            batches.SelectMany(b => b.Samples).Should().OnlyContain(s => s.Pixels.Length > 0);
        }
    }

    [Fact]
    public void Batches_do_not_depend_on_the_number_of_workers()
    {
        long[] unreadable = [3, 17, 22];
        List<HostBatch> one, three;
        using (var dataset = Flaky(unreadable))
        using (var assembler = new BatchAssembler(dataset, Seed, Batch, default, workers: 1, Failures(0.5)))
        {
            one = Take(assembler, 12);
        }
        using (var dataset = Flaky(unreadable))
        using (var assembler = new BatchAssembler(dataset, Seed, Batch, default, workers: 3, Failures(0.5)))
        {
            three = Take(assembler, 12);
        }

        for (int i = 0; i < one.Count; i++)
        {
            three[i].Indices.Should().Equal(one[i].Indices, $"batch {i + 1} samples the same indices with 1 or 3 workers");
            three[i].Pixels.Should().Equal(one[i].Pixels, $"batch {i + 1} holds the same content with 1 or 3 workers");
            three[i].After.Should().Be(one[i].After);
        }
    }

    [Fact]
    public void A_dataset_bug_stops_the_pipeline_at_the_batch_that_needs_the_sample()
    {
        // The second sample of the third batch: early enough that reading ahead stays in epoch 0.
        const int position = 2 * Batch + 1;
        long crashing = SampleOrder.Permutation(Seed, 0, Clips)[position];
        using var dataset = Flaky([], crashing: [crashing]);
        using var pipeline = new BatchPipeline(dataset, Seed, Batch, default, workers: 2, Failures(0.5));

        int delivered = 0;
        var run = () => Within(() =>
        {
            for (int i = 0; i < 2 * BatchesPerEpoch; i++)
            {
                pipeline.Next();
                delivered++;
            }
        });

        run.Should().Throw<InvalidOperationException>().WithMessage("Reading training data failed*")
            .WithInnerException<InvalidOperationException>().WithMessage($"sample {crashing} is a bug");
        delivered.Should().Be(position / Batch, "every batch before the one holding the sample arrives, and that one does not");
        dataset.Reads(crashing).Should().Be(1, "a failed read is not retried");
    }

    [Fact]
    public void Disposing_reads_none_of_the_samples_still_queued()
    {
        // Two batches are queued ahead of the one taken. On disposal the workers used to call the
        // dataset for every queued sample with the cancelled token, and a decode worker pool or the
        // ffmpeg reader started a process for each only to kill it: ~50 dotnet starts at the end of
        // every `umt bench data` phase, a third of the CPU it charged to each clip.
        using var dataset = new SlowDataset(Flaky([]));
        var assembler = new BatchAssembler(dataset, Seed, Batch, default, workers: 1, Failures(0.5));
        Take(assembler, 1);
        int readBefore = dataset.Reads;

        Within(() => assembler.Dispose());

        int read = dataset.Reads;
        readBefore.Should().BeGreaterThanOrEqualTo(Batch);
        read.Should().BeLessThanOrEqualTo(readBefore + 1, "only a read already in flight may finish; the queued ones are dropped");
    }

    private static SampleFailures Failures(double maxFraction) => new(Logger.None, Clips, maxFraction);

    private static FlakyDataset Flaky(IEnumerable<long> unreadable, IEnumerable<long>? crashing = null) =>
        new(SyntheticDatasetHarness.Create(new SyntheticOptions { Clips = Clips }, frames: 2, imageSize: 32), unreadable, crashing ?? []);

    private static List<HostBatch> Take(BatchAssembler assembler, int batches) =>
        Within(() => Enumerable.Range(0, batches).Select(_ => assembler.Next()).ToList());

    /// <summary>Runs <paramref name="work"/> on another thread, failing the test when it hangs; its exception is rethrown as is.</summary>
    private static T Within<T>(Func<T> work)
    {
        var task = Task.Run(work);
        task.Wait(Patience).Should().BeTrue("the pipeline never hangs");
        return task.GetAwaiter().GetResult();
    }

    private static void Within(Action work) => Within(() =>
    {
        work();
        return 0;
    });

    /// <summary>A dataset whose reads take 50 ms, as a decode does, and stop early when cancelled; counts the reads started.</summary>
    private sealed class SlowDataset(IVideoDataset inner) : IVideoDataset
    {
        private int reads;

        public DatasetInfo Info => inner.Info;

        public int Reads => Volatile.Read(ref reads);

        public VideoSample Read(long index, ulong augmentationKey, CancellationToken cancel = default)
        {
            Interlocked.Increment(ref reads);
            cancel.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(50));
            cancel.ThrowIfCancellationRequested();
            return inner.Read(index, augmentationKey, cancel);
        }

        public void Dispose() => inner.Dispose();
    }

    /// <summary>
    /// The synthetic dataset with chosen samples broken: unreadable ones throw
    /// <see cref="UnreadableMediaException"/> as a broken file does, crashing ones throw
    /// something else, as a dataset bug does. Counts every read per index.
    /// </summary>
    private sealed class FlakyDataset(IVideoDataset inner, IEnumerable<long> unreadable, IEnumerable<long> crashing) : IVideoDataset
    {
        private readonly HashSet<long> unreadable = [.. unreadable];
        private readonly HashSet<long> crashing = [.. crashing];
        private readonly ConcurrentDictionary<long, int> reads = new();

        public DatasetInfo Info => inner.Info;

        public int Reads(long index) => reads.GetValueOrDefault(index);

        public VideoSample Read(long index, ulong augmentationKey, CancellationToken cancel = default)
        {
            reads.AddOrUpdate(index, 1, (_, n) => n + 1);
            if (unreadable.Contains(index))
            {
                throw new UnreadableMediaException($"clip{index}", "broken");
            }
            if (crashing.Contains(index))
            {
                throw new InvalidOperationException($"sample {index} is a bug");
            }
            return inner.Read(index, augmentationKey, cancel);
        }

        public void Dispose() => inner.Dispose();
    }
}
