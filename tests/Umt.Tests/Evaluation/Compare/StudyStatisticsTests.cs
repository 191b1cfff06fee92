using Umt.Runner.Workflows.Study;

namespace Umt.Tests.Evaluation.Compare;

/// <summary>The pure parts of <c>umt compare</c> against hand-computed values.</summary>
public sealed class StudyStatisticsTests
{
    [Fact]
    public void Mean_and_sample_standard_deviation_over_seeds()
    {
        var three = SeedStatistics.Of([0.5, 0.7, 0.6]);

        three.Mean.Should().BeApproximately(0.6, 1e-12);
        three.Spread.Should().BeApproximately(0.1, 1e-12, "sqrt((0.01 + 0.01 + 0) / (3 − 1))");
        three.Seeds.Should().Be(3);
        SeedStatistics.Of([0.2, 0.4]).Spread.Should().BeApproximately(Math.Sqrt(0.02), 1e-12, "two seeds: |a − b| / √2");
    }

    [Fact]
    public void One_seed_has_a_mean_but_no_spread()
    {
        var one = SeedStatistics.Of([0.3]);

        one.Mean.Should().Be(0.3);
        one.Spread.Should().BeNull();
    }

    [Fact]
    public void A_difference_exceeds_the_spread_only_when_the_one_sigma_bands_do_not_touch()
    {
        var a = new MeanSpread(0.60, 0.10, 2);

        SeedStatistics.ExceedsSpread(a, new MeanSpread(0.35, 0.10, 2)).Should().BeTrue("0.25 > 0.10 + 0.10");
        SeedStatistics.ExceedsSpread(a, new MeanSpread(0.45, 0.10, 2)).Should().BeFalse("0.15 ≤ 0.20");
        SeedStatistics.ExceedsSpread(new MeanSpread(0.45, 0.10, 2), a).Should().BeFalse("the rule is symmetric");
        SeedStatistics.ExceedsSpread(new MeanSpread(0.6, null, 1), new MeanSpread(0.0, null, 1)).Should().BeNull("one seed on each side: no spread to compare with");
    }

    [Fact]
    public void A_side_with_one_seed_is_given_the_other_sides_spread()
    {
        var methods = new MeanSpread(0.30, 0.05, 3);
        var oneSeed = new MeanSpread(0.42, null, 1);

        SeedStatistics.SpreadSum(oneSeed, methods).Should().BeApproximately(0.10, 1e-12, "0.05 for each side");
        SeedStatistics.ExceedsSpread(oneSeed, methods).Should().BeTrue("0.12 > 0.05 + 0.05");
        SeedStatistics.ExceedsSpread(new MeanSpread(0.38, null, 1), methods).Should().BeFalse("0.08 ≤ 0.10");
        SeedStatistics.SpreadBorrowed(oneSeed, methods).Should().BeTrue();
        SeedStatistics.SpreadBorrowed(methods, methods).Should().BeFalse();

        var difference = SeedStatistics.Compare("supervised (motion)", oneSeed, "floor", methods, "motion");
        difference.Delta.Should().BeApproximately(0.12, 1e-12);
        (difference.SpreadSum, difference.ExceedsSpread, difference.SpreadBorrowed).Should().Be((0.1, true, true));
        StudyAnswers.Describe(difference).Should().Contain("the one-seed side's taken as the other's").And.Contain("exceeds the spread");
    }

    [Fact]
    public void The_long_preset_trains_the_supervised_references_for_seed_0_only_and_says_so_when_settings_differ()
    {
        StudySettings.Long.SupervisedSeedCount.Should().Be(1);
        StudySettings.Full.SupervisedSeedCount.Should().Be(StudySettings.Full.Seeds, "no limit: every seed");
        StudySettings.Quick.SupervisedSeedCount.Should().Be(0, "quick trains no supervised reference");
        (StudySettings.Long with { Seeds = 1, SupervisedSeeds = 2 }).SupervisedSeedCount.Should().Be(1, "never more than the study's seeds");

        StudySettings.Long.DifferencesFrom(StudySettings.Long with { SupervisedSeeds = null })
            .Should().ContainSingle().Which.Should().Be("SupervisedSeeds: 1 here, every seed in the folder's study");
        var zero = () => (StudySettings.Long with { SupervisedSeeds = 0 }).Validated();
        zero.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void A_seed_without_supervised_references_is_done_when_the_preset_trains_them_for_fewer_seeds()
    {
        // The long preset's 3 seeds, the supervised references trained for seed 0 only: seeds 1 and 2
        // are done without them (the report said "Partial: 1 of 3" for a finished study before).
        var settings = StudySettings.Long;
        ProbeScores[] scores = [new("motion", 10, 0.2, 0.6, 0.1), new("appearance", 36, 0.4, 0.8, 0.3)];
        var runs = (from seed in new long[] { 0, 1, 2 }
                    from run in StudyRuns.All
                    select new RunOutcome(run.Name, seed, 1000, 100, 150, 0.1, [1.0, 0.5], [new ProbePoint(1000, 100, 150, scores)])).ToList();
        var floors = new long[] { 0, 1, 2 }.Select(seed => new ReferenceOutcome(StudyRuns.Floor, seed, scores)).ToList();
        var mechanism = (from seed in new long[] { 0, 1, 2 }
                         from run in StudyRuns.Distillations
                         select new MechanismOutcome(run.Name, run.Name, seed, 1.0, 128)).ToList();
        SupervisedOutcome Supervised(string labelSet) => new(labelSet, 0, 1000, 200, 400, [2.0, 1.0], 0.3, scores);

        StudyResults.Summarise(settings, 1, runs, floors, [Supervised("motion"), Supervised("appearance")], mechanism, []).SeedsDone
            .Should().Be(3);
        StudyResults.Summarise(settings, 1, runs, floors, [Supervised("motion")], mechanism, []).SeedsDone
            .Should().Be(0, "seed 0 trains both label sets' references and has one");
        StudyResults.Summarise(settings with { SupervisedSeeds = null }, 1, runs, floors, [Supervised("motion"), Supervised("appearance")], mechanism, []).SeedsDone
            .Should().Be(1, "with every seed training them, seed 1 lacks its references");
    }

    [Fact]
    public void Time_to_reach_interpolates_between_the_probes_around_the_first_crossing()
    {
        var curve = new AccuracyCurve([new(0, 0, 0, 0.1), new(100, 100, 150, 0.3), new(200, 200, 350, 0.5)]);

        curve.SecondsToReach(0.4).Should().BeApproximately(150, 1e-9, "halfway from 0.3 at 100 s to 0.5 at 200 s");
        curve.SecondsToReach(0.3).Should().BeApproximately(100, 1e-9, "a probe exactly at the target");
        curve.SecondsToReach(0.15).Should().BeApproximately(25, 1e-9);
        curve.SecondsToReach(0.05).Should().Be(0, "the first probe already reaches it");
        curve.SecondsToReach(0.6).Should().BeNull("no probe reaches it");
        curve.CpuSecondsToReach(0.4).Should().BeApproximately(250, 1e-9, "halfway from 150 CPU s to 350 CPU s");
        curve.CpuSecondsToReach(0.15).Should().BeApproximately(37.5, 1e-9, "a quarter of the way from 0 to 150 CPU s");
    }

    [Fact]
    public void Time_to_reach_takes_the_first_crossing_of_a_curve_that_falls_again()
    {
        var curve = new AccuracyCurve([new(0, 10, 20, 0.1), new(50, 110, 220, 0.5), new(100, 210, 420, 0.2), new(150, 310, 620, 0.6)]);

        curve.SecondsToReach(0.3).Should().BeApproximately(60, 1e-9, "10 + (0.3 − 0.1) / (0.5 − 0.1) · 100");
        curve.StepsToReach(0.3).Should().BeApproximately(25, 1e-9, "0 + (0.3 − 0.1) / (0.5 − 0.1) · 50");
        curve.CpuSecondsToReach(0.3).Should().BeApproximately(120, 1e-9, "20 + (0.3 − 0.1) / (0.5 − 0.1) · 200");
    }

    [Fact]
    public void Transformer_block_flops_count_the_matrix_products_and_attention_by_hand()
    {
        // 10 tokens, width 4, MLP ratio 4, 2 blocks. Per block: qkv 2·10·4·12 = 960, projection
        // 2·10·4·4 = 320, MLP 2·(2·10·4·16) = 2560, attention scores and mix 2·(2·10·10·4) = 1600.
        StudyFlops.Blocks(10, 4, 2, 4).Should().Be(2 * (960 + 320 + 2560 + 1600.0));
    }

    [Fact]
    public void Moving_average_is_trailing_and_starts_at_the_first_step()
    {
        StudyPlots.MovingAverage([1, 2, 3, 4], 2).Should().Equal(1, 1.5, 2.5, 3.5);
        StudyPlots.MovingAverage([4, 2], 1).Should().Equal(4, 2);
    }
}
