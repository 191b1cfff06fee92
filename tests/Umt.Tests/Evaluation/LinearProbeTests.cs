using System.Text.Json;
using Umt.Runner.Cli;
using Umt.Runner.Workflows.Evaluation;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Umt.Tests.Evaluation;

/// <summary>The probe's classifiers on features whose answer is known, and <c>umt eval probe</c> end to end.</summary>
public sealed class LinearProbeTests(ITestOutputHelper log)
{
    private const int Classes = 5;

    /// <summary>n points per class around well-separated centres in 16 dimensions.</summary>
    private static (Tensor X, long[] Y) Clusters(int perClass, long seed, double spread)
    {
        var generator = new Generator((ulong)seed);
        var centres = randn([Classes, 16], generator: new Generator(99)) * 3;                     // [C, 16]
        long[] y = [.. Enumerable.Range(0, Classes * perClass).Select(i => (long)(i % Classes))];
        var x = centres.index_select(0, tensor(y)) + randn([y.Length, 16], generator: generator) * spread; // [n, 16]
        return (x, y);
    }

    [Fact]
    public void Separable_features_are_classified_almost_perfectly_by_both_classifiers()
    {
        using var scope = NewDisposeScope();
        var (trainX, trainY) = Clusters(40, seed: 1, spread: 0.3);
        var (testX, testY) = Clusters(20, seed: 2, spread: 0.3);

        var linear = LinearProbe.Linear(trainX, trainY, testX, testY, Classes);
        var knn = LinearProbe.NearestNeighbours(trainX, trainY, testX, testY, Classes, k: 10);

        linear.Top1.Should().BeGreaterThanOrEqualTo(0.99);
        knn.Top1.Should().BeGreaterThanOrEqualTo(0.99);
        linear.Top5.Should().Be(1.0, "five classes: the top five always hold the answer");
    }

    [Fact]
    public void Shuffled_training_labels_leave_held_out_accuracy_near_chance()
    {
        using var scope = NewDisposeScope();
        var (trainX, trainY) = Clusters(40, seed: 1, spread: 0.3);
        var (testX, testY) = Clusters(40, seed: 2, spread: 0.3);
        var random = new Random(5);
        long[] shuffled = [.. trainY.OrderBy(_ => random.Next())];

        var linear = LinearProbe.Linear(trainX, shuffled, testX, testY, Classes);
        var knn = LinearProbe.NearestNeighbours(trainX, shuffled, testX, testY, Classes, k: 10);
        log.WriteLine($"shuffled labels: linear {linear.Top1:F3}, k-NN {knn.Top1:F3} (chance {1.0 / Classes:F3})");

        linear.Top1.Should().BeLessThan(0.45, "labels unrelated to the features cannot be predicted on held-out clips");
        knn.Top1.Should().BeLessThan(0.45);
    }

    [Fact]
    public void Accuracy_counts_the_label_among_the_top_scores()
    {
        using var scope = NewDisposeScope();
        var scores = tensor(new float[,]
        {
            { 0.1f, 0.9f, 0.0f, 0.0f, 0.0f, 0.0f },   // label 1: first
            { 0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f },   // label 5: sixth, outside the top 5
            { 0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f },   // label 4: fifth
        });

        var accuracy = LinearProbe.Accuracy(scores, [1, 5, 4]);

        accuracy.Top1.Should().BeApproximately(1.0 / 3, 1e-12);
        accuracy.Top5.Should().BeApproximately(2.0 / 3, 1e-12);
    }

    [Fact]
    public void Eval_probe_reports_both_synthetic_label_sets_on_held_out_clips()
    {
        using var temp = new TemporaryDirectory();
        string run = temp.Combine("run");
        TestSupport.Umt.Run(log, "train", "--set", "Umt:Run:Steps=1", "--set", "Umt:Run:BatchSize=2", "--set", "Umt:Run:WarmupSteps=0",
            "--set", $"Umt:Run:OutputDir={run}").ExitCode.Should().Be(0);

        var result = TestSupport.Umt.Run(log, "eval", "probe", "--checkpoint", run, "--train", "64", "--test", "32", "--json");

        result.ExitCode.Should().Be(0);
        result.Error.Should().MatchRegex(@"(?m)^eval probe \(train split\): 64/64 clips \(100%\), ").And.MatchRegex(@"(?m)^eval probe \(test split\): 32/32 clips \(100%\), ",
            "both splits are counted on stderr (issue 19)");
        var probes = JsonSerializer.Deserialize<List<ProbeResult>>(result.Output, CliJson.Options)!;
        probes.Select(p => p.LabelSet).Should().BeEquivalentTo(["motion", "appearance"]);
        probes.Should().OnlyContain(p => p.Train == 64 && p.Test == 32 && p.Linear.Top1 >= 0 && p.Linear.Top1 <= p.Linear.Top5 && p.Linear.Top5 <= 1 && p.Knn.Top1 >= 0 && p.Knn.Top1 <= 1);
        probes.Single(p => p.LabelSet == "motion").Classes.Should().Be(10);
    }
}
