using System.Diagnostics;
using System.Text.Json;
using Umt.Plugins.Datasets.Ava;
using Umt.Runner.Workflows.Evaluation.Detection;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Evaluation.Detection;

/// <summary>
/// AVA frame-level AP against a brute-force float64 computation written here from the protocol's
/// definition (per-image greedy matching, AP as the mean over recall levels j/npos of the best
/// precision reached at recall ≥ j/npos), and against hand-computed numbers.
/// </summary>
public sealed class AvaEvaluationTests(ITestOutputHelper log)
{
    private static readonly AvaLabel[] Labels = [new(1, "stand"), new(2, "sit"), new(3, "walk")];

    // Key frame v1,0902: person A doing 1 and 2, person B doing 1; v1,0903: A doing 1; v2,0902 is excluded. Class 4 is not in the label map.
    private const string GroundTruth =
        "v1,0902,0.1,0.1,0.4,0.9,1,0\n" +
        "v1,0902,0.1,0.1,0.4,0.9,2,0\n" +
        "v1,0902,0.5,0.1,0.9,0.9,1,1\n" +
        "v1,0902,0.5,0.1,0.9,0.9,4,1\n" +
        "v1,0903,0.1,0.1,0.4,0.9,1,0\n" +
        "v2,0902,0.1,0.1,0.4,0.9,1,0\n";

    private const string Detections =
        "v1,0902,0.11,0.1,0.4,0.9,1,0.9\n" +  // A: true positive
        "v1,0902,0.1,0.1,0.4,0.9,1,0.8\n" +   // A again: a duplicate, false positive
        "v1,0902,0.5,0.1,0.9,0.9,1,0.6\n" +   // B: true positive
        "v1,0902,0.1,0.1,0.4,0.9,2,0.3\n" +   // class 2 on A: true positive
        "v1,0902,0.5,0.1,0.9,0.9,2,0.5\n" +   // class 2 on B: false positive
        "v1,0902,0.1,0.1,0.4,0.9,3,0.7\n" +   // class 3 has no ground truth
        "v1,0902,0.5,0.1,0.9,0.9,4,0.9\n" +   // not in the label map
        "v1,0903,0.6,0.6,0.7,0.7,1,0.9\n" +   // nothing there: false positive, tied with the first row
        "v1,0903,0.1,0.1,0.4,0.9,1,0.8\n" +   // A: true positive, tied with the duplicate
        "v2,0902,0.1,0.1,0.4,0.9,1,0.99\n";   // excluded key frame

    private const string Excluded = "v2,0902\n";

    [Fact]
    public void Hand_case_ties_duplicates_no_positives_and_exclusions_match_hand_numbers_and_brute_force()
    {
        var clock = Stopwatch.StartNew();
        using var dir = new TemporaryDirectory();
        var truth = AvaCsv.ReadAnnotations(Write(dir, "gt.csv", GroundTruth));
        var detections = AvaCsv.ReadDetections(Write(dir, "det.csv", Detections));
        var excluded = AvaCsv.ReadExclusions(Write(dir, "ex.csv", Excluded));

        var result = AvaFrameEvaluation.Evaluate(Labels, truth, detections, excluded);
        // Class 1, 3 positives, ranked (ties in file order) T F F T T: precision 1, ½, ⅓, ½, ⅗ →
        // AP = (1 + ⅗ + ⅗)/3. Class 2, 1 positive, ranked F T: AP = ½. Class 3: no ground truth.
        result.Classes[0].Ap!.Value.Should().BeApproximately(11.0 / 15, 1e-12);
        result.Classes[1].Ap!.Value.Should().BeApproximately(0.5, 1e-12);
        result.Classes[2].Ap.Should().BeNull();
        result.MeanAp!.Value.Should().BeApproximately((11.0 / 15 + 0.5) / 2, 1e-12);
        result.Classes[0].Should().BeEquivalentTo(new { Positives = 3, Detections = 5, TruePositives = 3 });
        result.ExcludedKeyFrames.Should().Be(2, "v2,0902 is dropped from the ground truth and from the detections");
        result.OutsideLabelMap.Should().Be(2);
        CompareWithBruteForce(result, truth, detections, excluded);

        // Without the exclusions the excluded frame's box and its 0.99 detection count: ranked T T F F T T over 4 positives.
        var unexcluded = AvaFrameEvaluation.Evaluate(Labels, truth, detections, new HashSet<AvaKeyFrame>());
        unexcluded.Classes[0].Ap.Should().BeApproximately((1 + 1 + 2.0 / 3 + 2.0 / 3) / 4, 1e-12);
        CompareWithBruteForce(unexcluded, truth, detections, new HashSet<AvaKeyFrame>());
        log.WriteLine($"{clock.Elapsed.TotalSeconds:F2} s");
    }

    [Fact]
    public void Random_frames_with_tied_scores_match_the_brute_force()
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(22);
        var truth = new List<AvaBox>();
        var detections = new List<AvaBox>();
        var excluded = new HashSet<AvaKeyFrame>();
        for (int f = 0; f < 120; f++)
        {
            var frame = new AvaKeyFrame($"v{f % 7}", 902 + f);
            if (f % 11 == 0)
            {
                excluded.Add(frame);
            }
            int line = 0;
            for (int p = random.Next(0, 4); p > 0; p--)
            {
                double x = random.NextDouble() * 0.6, y = random.NextDouble() * 0.4;
                var person = (X1: x, Y1: y, X2: x + 0.2 + random.NextDouble() * 0.2, Y2: y + 0.3 + random.NextDouble() * 0.3);
                foreach (int action in Enumerable.Range(1, 4).Where(_ => random.NextDouble() < 0.4))
                {
                    truth.Add(new AvaBox(frame, person.X1, person.Y1, person.X2, person.Y2, action, p, 1.0, ++line));
                }
                // Detections near the person: jittered (some under IoU 0.5), duplicated, scores on a coarse grid so many tie.
                for (int d = random.Next(0, 4); d > 0; d--)
                {
                    double jitter = random.NextDouble() * 0.15;
                    detections.Add(new AvaBox(frame, person.X1 + jitter, person.Y1, person.X2 + jitter, person.Y2, random.Next(1, 5), null, random.Next(0, 6) / 5.0, ++line));
                }
            }
        }
        // Class 4 is outside this label map; class 3 is in it.
        var labels = Labels;
        var result = AvaFrameEvaluation.Evaluate(labels, truth, detections, excluded);
        result.Classes.Where(c => c.Ap is not null).Should().HaveCount(3);
        CompareWithBruteForce(result, truth, detections, excluded);
        log.WriteLine($"{truth.Count} boxes, {detections.Count} detections, mAP {result.MeanAp:F4}; {clock.Elapsed.TotalSeconds:F2} s");
    }

    [Fact]
    public void A_detection_whose_best_box_is_taken_is_a_false_positive_even_if_another_box_overlaps_enough()
    {
        var frame = new AvaKeyFrame("v", 902);
        // Two people side by side, IoU 0.78 with each other; two detections on the first.
        AvaBox[] truth = [new(frame, 0.1, 0.1, 0.5, 0.9, 1, 0, 1.0, 1), new(frame, 0.15, 0.1, 0.55, 0.9, 1, 1, 1.0, 2)];
        AvaBox[] detections = [new(frame, 0.1, 0.1, 0.5, 0.9, 1, null, 0.9, 1), new(frame, 0.1, 0.1, 0.5, 0.9, 1, null, 0.8, 2)];
        // The second overlaps the taken first box most: a false positive (the official rule), not a match of the second box.
        // Ranked T F over 2 positives: AP = (1 + 0)/2.
        var result = AvaFrameEvaluation.Evaluate(Labels, truth, detections, new HashSet<AvaKeyFrame>());
        result.Classes[0].Ap!.Value.Should().BeApproximately(0.5, 1e-12);
        CompareWithBruteForce(result, truth, detections, new HashSet<AvaKeyFrame>());
    }

    [Fact]
    public void Only_the_50_best_detections_of_a_key_frame_count_and_invalid_boxes_are_dropped()
    {
        var frame = new AvaKeyFrame("v", 902);
        AvaBox[] truth = [new(frame, 0.1, 0.1, 0.4, 0.9, 1, 0, 1.0, 1)];
        // 50 misses scored above the one hit: the hit is the 51st and is dropped, so class 1 scores 0.
        var misses = Enumerable.Range(0, 50).Select(i => new AvaBox(frame, 0.6, 0.6, 0.7, 0.7, 1, null, 0.9 - i * 0.001, i + 1)).ToList();
        var hit = new AvaBox(frame, 0.1, 0.1, 0.4, 0.9, 1, null, 0.5, 51);
        var capped = AvaFrameEvaluation.Evaluate(Labels, truth, [.. misses, hit], new HashSet<AvaKeyFrame>());
        capped.Classes[0].Ap.Should().Be(0);
        capped.OverCapacity.Should().Be(1);
        // Two misses fewer and the hit is within the 50 (the cap counts before invalid boxes go, as the official
        // code); the box with x2 < x1 is then dropped, not scored: the hit ranks 49th of 49, AP = 1/49.
        var reversed = new AvaBox(frame, 0.4, 0.1, 0.1, 0.9, 1, null, 0.95, 52);
        var kept = AvaFrameEvaluation.Evaluate(Labels, truth, [.. misses.Skip(2), hit, reversed], new HashSet<AvaKeyFrame>());
        kept.Classes[0].Ap!.Value.Should().BeApproximately(1.0 / 49, 1e-12);
        kept.Classes[0].Detections.Should().Be(49);
        kept.InvalidDetections.Should().Be(1);
    }

    [Fact]
    public void Eval_detection_verb_prints_json_names_a_malformed_line_and_a_missing_file()
    {
        var clock = Stopwatch.StartNew();
        using var dir = new TemporaryDirectory();
        string labelMap = Write(dir, "ava_action_list_v2.2_for_activitynet_2019.pbtxt",
            "item {\n  name: \"stand\"\n  id: 1\n}\nitem {\n  name: \"sit\"\n  id: 2\n}\nitem {\n  name: \"walk\"\n  id: 3\n}\n");
        string[] files = ["--groundtruth", Write(dir, "ava_val_v2.2.csv", GroundTruth), "--labelmap", labelMap];
        var run = TestSupport.Umt.Run(log, ["eval", "detection", .. files, "--detections", Write(dir, "det.csv", Detections),
            "--exclusions", Write(dir, "ava_val_excluded_timestamps_v2.2.csv", Excluded), "--json"]);
        run.ExitCode.Should().Be(0, run.All);
        using var json = JsonDocument.Parse(run.Output);
        json.RootElement.GetProperty("mean_ap").GetDouble().Should().BeApproximately((11.0 / 15 + 0.5) / 2, 1e-12);
        json.RootElement.GetProperty("iou_threshold").GetDouble().Should().Be(0.5);
        var classes = json.RootElement.GetProperty("classes").EnumerateArray().ToArray();
        classes.Select(c => c.GetProperty("name").GetString()).Should().Equal("stand", "sit", "walk");
        classes[2].GetProperty("ap").ValueKind.Should().Be(JsonValueKind.Null);
        json.RootElement.GetProperty("excluded_key_frames").GetInt32().Should().Be(2);

        var text = TestSupport.Umt.Run(log, ["eval", "detection", .. files, "--detections", Write(dir, "det.csv", Detections)]);
        text.ExitCode.Should().Be(0, text.All);
        text.Output.Should().Contain("mAP@0.5 ").And.Contain("stand");

        var broken = TestSupport.Umt.Run(log, ["eval", "detection", .. files, "--detections", Write(dir, "bad.csv", "v1,0902,0.1,0.1,0.4,0.9,1,0.5\nv1,0902,0.1,0.1,0.4,0.9,1\n")]);
        broken.ExitCode.Should().Be(1);
        broken.Error.Should().Contain("bad.csv:2: 7 columns").And.NotContain("   at ");

        var missing = TestSupport.Umt.Run(log, ["eval", "detection", .. files, "--detections", dir.Combine("nope.csv")]);
        missing.ExitCode.Should().Be(2, "a missing file is a usage error");
        missing.Error.Should().Contain("--detections: no file").And.Contain("nope.csv");
        log.WriteLine($"{clock.Elapsed.TotalSeconds:F2} s");
    }

    /// <summary>The protocol from its definition, in float64, sharing nothing with the production code but the parsed rows.</summary>
    private static void CompareWithBruteForce(DetectionResult result, IReadOnlyList<AvaBox> truth, IReadOnlyList<AvaBox> detections, IReadOnlySet<AvaKeyFrame> excluded)
    {
        var expected = new List<double>();
        foreach (AvaLabel label in Labels)
        {
            var gt = truth.Where(t => t.ActionId == label.Id && !excluded.Contains(t.KeyFrame)).ToList();
            // Every scored detection of the class: frames in order of first appearance, each frame's detections by descending score.
            var frames = detections.Where(d => d.ActionId == label.Id && !excluded.Contains(d.KeyFrame)).Select(d => d.KeyFrame).Distinct().ToList();
            var ranked = new List<(double Score, bool Tp)>();
            foreach (var frame in frames)
            {
                var frameTruth = gt.Where(t => t.KeyFrame == frame).ToList();
                var used = new HashSet<int>();
                var frameDetections = detections.Where(d => d.KeyFrame == frame && d.ActionId == label.Id)
                    .Select((d, order) => (d, order)).OrderBy(x => -x.d.Score).ThenBy(x => x.order).Select(x => x.d);
                foreach (var d in frameDetections)
                {
                    var overlaps = frameTruth.Select(t => Overlap(d, t)).ToList();
                    int best = overlaps.Count == 0 ? -1 : overlaps.IndexOf(overlaps.Max());
                    bool tp = best >= 0 && overlaps[best] >= 0.5 && used.Add(best);
                    ranked.Add((d.Score, tp));
                }
            }
            if (gt.Count == 0)
            {
                result.Classes.Single(c => c.Id == label.Id).Ap.Should().BeNull();
                continue;
            }
            var order = ranked.Select((r, i) => (r, i)).OrderBy(x => -x.r.Score).ThenBy(x => x.i).Select(x => x.r).ToList();
            double ap = 0;
            for (int level = 1; level <= gt.Count; level++)
            {
                double best = 0;
                int tps = 0;
                for (int rank = 0; rank < order.Count; rank++)
                {
                    tps += order[rank].Tp ? 1 : 0;
                    best = tps >= level ? Math.Max(best, (double)tps / (rank + 1)) : best;
                }
                ap += best / gt.Count;
            }
            result.Classes.Single(c => c.Id == label.Id).Ap!.Value.Should().BeApproximately(ap, 1e-12, $"class {label.Id}");
            expected.Add(ap);
        }
        result.MeanAp!.Value.Should().BeApproximately(expected.Average(), 1e-12);
    }

    /// <summary>IoU from the boxes' pixel-free areas: the intersection rectangle's area over the sum less it.</summary>
    private static double Overlap(AvaBox a, AvaBox b)
    {
        double w = Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1);
        double h = Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1);
        double inter = w > 0 && h > 0 ? w * h : 0;
        return inter / ((a.X2 - a.X1) * (a.Y2 - a.Y1) + (b.X2 - b.X1) * (b.Y2 - b.Y1) - inter);
    }

    private static string Write(TemporaryDirectory dir, string name, string text)
    {
        string path = dir.Combine(name);
        File.WriteAllText(path, text);
        return path;
    }
}
