using System.Globalization;
using Umt.Runner.Workflows.Evaluation.Qa;
using Umt.Runner.Workflows.Evaluation.Retrieval;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>The readable summary <c>umt finetune</c> prints: what was trained, how long, and the held-out scores.</summary>
public static class FinetuneSummary
{
    public static string Text(FinetuneReport report, string resultsFile)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        if (report.Classification is { } c)
        {
            var t = c.Test;
            text.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fine-tuned {report.Checkpoint} on {report.Dataset} '{c.LabelSet}' ({c.Classes} classes, chance top-1 {1.0 / c.Classes:F3}): {c.Steps} steps on {c.TrainClips} training clips in {c.TrainSeconds:F0} s, loss {Mean(c.Losses, first: true):F3} → {Mean(c.Losses, first: false):F3}"));
            text.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  held-out, {t.Views} view(s) per clip ({report.Settings.TestClips} clips × {report.Settings.TestCrops} crops, mean softmax): top-1 {t.MultiView.Top1:F3}  top-5 {t.MultiView.Top5:F3}   (first view alone: top-1 {t.SingleView.Top1:F3}); {t.Clips} clips{(t.Unreadable > 0 ? $", {t.Unreadable} unreadable view reads" : "")}, {c.TestSeconds:F0} s"));
            text.WriteLine($"  model    {c.ModelFile}");
        }
        if (report.Retrieval is { } r)
        {
            text.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"retrieval fine-tune of {report.Checkpoint} (vtc + vtm, every token visible): {r.Steps} steps in {r.TrainSeconds:F0} s, loss {Mean(r.Losses, first: true):F3} → {Mean(r.Losses, first: false):F3}; held-out: {r.Test.Clips} clips, {r.Test.Texts} text queries ({r.Test.DistinctCaptions} distinct, protocol {r.Test.Protocol}), {r.TestSeconds:F0} s"));
            Directions(text, "contrastive (VTC similarity)", r.Test.Contrastive);
            if (r.Test.Reranked is { } reranked)
            {
                Directions(text, $"re-ranked (top {r.Test.RerankK} by itm_head)", reranked);
            }
            text.WriteLine($"  model    {r.ModelFile}");
        }
        if (report.Detection is { } d)
        {
            text.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"detection fine-tune of {(d.Pretrained ? report.Checkpoint : "an untrained student")} on {report.Dataset} ({d.Classes} actions): {d.Steps} steps on {d.TrainKeyFrames} key frames in {d.TrainSeconds:F0} s, loss {Mean(d.Losses, first: true):F3} → {Mean(d.Losses, first: false):F3}"));
            text.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  held-out, {d.Boxes} boxes: frame mAP@0.5 {(d.Test.MeanAp is { } map ? map.ToString("F4", CultureInfo.InvariantCulture) : "-")} over {d.Test.Classes.Count(c => c.Ap is not null)} actions with ground truth; {d.TestKeyFrames} key frames{(d.Unreadable > 0 ? $", {d.Unreadable} unreadable" : "")}, {d.TestSeconds:F0} s"));
            text.WriteLine($"  detections {d.DetectionsFile} (ground truth {d.GroundTruthFile}, label map {d.LabelMapFile})");
            text.WriteLine($"  model    {d.ModelFile}");
        }
        if (report.Qa is { } q)
        {
            text.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"multiple-choice QA fine-tune of {report.Checkpoint} (vtc + vtm on the training captions, every token visible): {q.Steps} steps in {q.TrainSeconds:F0} s, loss {Mean(q.Losses, first: true):F3} → {Mean(q.Losses, first: false):F3}; held-out questions, {q.TestSeconds:F0} s"));
            text.WriteLine(MultipleChoiceSummary.Text(q.Test));
            text.WriteLine($"  model    {q.ModelFile}");
        }
        if (report.OpenEndedQa is { } o)
        {
            text.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"open-ended QA fine-tune of {(o.Pretrained ? report.Checkpoint : "an untrained student")} on {report.Dataset} (answer decoder, every token visible): {o.Steps} steps on {o.TrainQuestions} questions in {o.TrainSeconds:F0} s, loss {Mean(o.Losses, first: true):F3} → {Mean(o.Losses, first: false):F3}; held-out questions, {o.TestSeconds:F0} s"));
            text.WriteLine(OpenEndedSummary.Text(o.Test));
            text.WriteLine($"  answers  {o.PredictionsFile}");
            text.WriteLine($"  model    {o.ModelFile}");
        }
        text.Write($"  results  {resultsFile}");
        return text.ToString();
    }

    private static void Directions(StringWriter text, string label, RetrievalDirections directions)
    {
        foreach (var (direction, s) in new[] { ("text→video", directions.TextToVideo), ("video→text", directions.VideoToText) })
        {
            text.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {label,-32} {direction}  R@1 {s.R1:F3}  R@5 {s.R5:F3}  R@10 {s.R10:F3}  median rank {s.MedianRank:F1}  (chance R@1 {s.ChanceR1:F3})"));
        }
        text.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label,-32} itm_eval    txt_r_mean {directions.ItmEval.TxtRMean:F3}  img_r_mean {directions.ItmEval.ImgRMean:F3}  r_mean {directions.ItmEval.RMean:F3}"));
    }

    /// <summary>Mean of the first or last tenth of the losses (at least one step).</summary>
    private static double Mean(IReadOnlyList<double> losses, bool first)
    {
        if (losses.Count == 0)
        {
            return double.NaN;
        }
        int window = Math.Max(1, losses.Count / 10);
        return (first ? losses.Take(window) : losses.Skip(losses.Count - window)).Average();
    }
}
