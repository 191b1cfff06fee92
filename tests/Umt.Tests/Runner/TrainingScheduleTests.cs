using Umt.Runner.Composition;
using Umt.Runner.Configuration;

namespace Umt.Tests.Runner;

public sealed class TrainingScheduleTests
{
    [Fact]
    public void Learning_rate_follows_the_reference_cosine_scheduler()
    {
        var run = new RunOptions { Steps = 12, WarmupSteps = 4, BatchSize = 32 };
        var optimizer = new OptimizerOptions { Lr = 1.5e-4, MinLr = 1e-5, BaseBatch = 256 };

        var schedule = TrainingSchedule.Resolve(run, optimizer, datasetCount: 1000);

        // Independent transcription of unmasked_teacher utils.cosine_scheduler in float64:
        // warm-up = np.linspace(0, base, 4); then final + 0.5 (base − final)(1 + cos(π i / 8)), i = 0..7.
        double peak = 1.5e-4 * 32 / 256, floor = 1e-5 * 32 / 256;
        var expected = new List<double>();
        for (int i = 0; i < 4; i++) expected.Add(peak * i / 3.0);
        for (int i = 0; i < 8; i++) expected.Add(floor + 0.5 * (peak - floor) * (1 + Math.Cos(Math.PI * i / 8)));

        Enumerable.Range(0, 12).Select(s => schedule.LearningRate(s)).Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-15);
        schedule.PeakLr.Should().BeApproximately(1.875e-5, 1e-18);
    }

    [Fact]
    public void Epochs_drop_the_incomplete_last_batch_and_steps_win_over_epochs()
    {
        var optimizer = new OptimizerOptions { AccumulateSteps = 2 };

        var byEpochs = TrainingSchedule.Resolve(new RunOptions { Epochs = 3, WarmupEpochs = 1, BatchSize = 8 }, optimizer, datasetCount: 100);
        var bySteps = TrainingSchedule.Resolve(new RunOptions { Epochs = 3, Steps = 5, BatchSize = 8 }, optimizer, datasetCount: 100);

        byEpochs.StepsPerEpoch.Should().Be(6, "100 samples / (8 × 2) = 6 full batches");
        byEpochs.TotalSteps.Should().Be(18);
        byEpochs.WarmupSteps.Should().Be(6);
        bySteps.TotalSteps.Should().Be(5);
        bySteps.WarmupSteps.Should().Be(1, "without a warm-up key the first 20 % of steps warm up");
    }

    [Fact]
    public void A_data_parallel_job_counts_the_global_batch_of_every_process()
    {
        var optimizer = new OptimizerOptions { AccumulateSteps = 2, Lr = 1e-3, BaseBatch = 16 };
        var run = new RunOptions { Epochs = 1, BatchSize = 8 };

        var alone = TrainingSchedule.Resolve(run, optimizer, datasetCount: 200);
        var three = TrainingSchedule.Resolve(run, optimizer, datasetCount: 200, worldSize: 3);

        three.EffectiveBatch.Should().Be(48, "8 per process × 2 accumulated × 3 processes");
        three.StepsPerEpoch.Should().Be(4, "200 / 48 = 4 full global batches");
        alone.StepsPerEpoch.Should().Be(12, "200 / 16");
        three.PeakLr.Should().BeApproximately(3e-3, 1e-15, "the reference scales lr by the global batch: 1e-3 × 48 / 16");
    }
}
