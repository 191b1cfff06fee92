using System.Globalization;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Tests.TestSupport;

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

    [Fact]
    public void No_scaling_uses_the_configured_rates_at_any_global_batch()
    {
        var optimizer = new OptimizerOptions { LrScaling = LrScaling.None, Lr = 1e-4, MinLr = 1e-6, BaseBatch = 128 };
        var run = new RunOptions { Epochs = 1, BatchSize = 128 };

        var sixteen = TrainingSchedule.Resolve(run, optimizer, datasetCount: 1 << 20, worldSize: 16);

        sixteen.EffectiveBatch.Should().Be(2048);
        sixteen.PeakLr.Should().Be(1e-4, "multi_modality's optimizer takes config.optimizer.lr as it is");
        sixteen.MinLr.Should().Be(1e-6);
        sixteen.Scaling.Should().Be(LrScaling.None);
    }

    [Fact]
    public void The_cosine_warm_up_starts_at_the_scaled_warmup_lr()
    {
        var optimizer = new OptimizerOptions { Lr = 1e-3, MinLr = 1e-6, WarmupLr = 1e-6, BaseBatch = 256 };

        var schedule = TrainingSchedule.Resolve(new RunOptions { Steps = 20, WarmupSteps = 5, BatchSize = 512 }, optimizer, datasetCount: 1 << 20);

        // np.linspace(2e-6, 2e-3, 5) after the ×512/256 of run_class_finetuning.py.
        double[] expected = [2e-6, 2e-6 + 1 * (2e-3 - 2e-6) / 4, 2e-6 + 2 * (2e-3 - 2e-6) / 4, 2e-6 + 3 * (2e-3 - 2e-6) / 4, 2e-3];
        Enumerable.Range(0, 5).Select(s => schedule.LearningRate(s)).Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-15);
    }

    [Fact]
    public void The_floored_cosine_is_the_stage_two_lambda_as_torch_steps_it()
    {
        // W = 3, T = 12, lr 1e-4, floor 1e-6 (min_lr_multi 0.01); steps every 0 … 11.
        var optimizer = new OptimizerOptions { LrScaling = LrScaling.None, Schedule = ScheduleShapes.FlooredCosine, Lr = 1e-4, MinLr = 1e-6 };
        var schedule = TrainingSchedule.Resolve(new RunOptions { Steps = 12, WarmupSteps = 3, BatchSize = 4 }, optimizer, datasetCount: 100);
        using var temp = new TemporaryDirectory();
        string script = temp.Combine("lambda_lr.py");
        // The lambda transcribed independently from multi_modality/utils/scheduler.py (warm-up
        // max(m, s / max(1, W)), then max(m, ½(1 + cos(π · 2 · 0.5 · progress)))), stepped by
        // torch's own LambdaLR once per optimizer step as tasks/pretrain.py does.
        File.WriteAllText(script, """
            import math, torch
            W, T, m = 3, 12, 0.01
            def lam(s):
                if s < W:
                    return max(m, float(s) / float(max(1, W)))
                p = float(s - W) / float(max(1, T - W))
                return max(m, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * p)))
            w = torch.nn.Parameter(torch.zeros(1))
            opt = torch.optim.AdamW([w], lr=1e-4)
            sched = torch.optim.lr_scheduler.LambdaLR(opt, lam)
            for _ in range(T):
                print(repr(opt.param_groups[0]["lr"]))
                opt.step()
                sched.step()
            """);

        var torch = PythonTorch.Run(script);

        torch.ExitCode.Should().Be(0, torch.Output);
        var expected = torch.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        expected.Should().HaveCount(12);
        expected[0].Should().BeApproximately(1e-6, 1e-18, "the floor lifts warm-up's first step from 0");
        Enumerable.Range(0, 12).Select(s => schedule.LearningRate(s)).Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-18);
    }
}
