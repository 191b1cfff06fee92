using System.Globalization;

namespace Umt.Runner.Workflows.Evaluation.Qa;

/// <summary>A multiple-choice result as readable lines: the reference's acc, chance, each half of the score alone, and per kind.</summary>
public static class MultipleChoiceSummary
{
    public static string Text(MultipleChoiceResult r)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        text.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  acc {r.Acc:F2} % over {r.Overall.Questions} questions (chance {100 * r.Overall.Chance:F2} %){(r.Unreadable > 0 ? $", {r.Unreadable} unreadable videos left out" : "")}"));
        text.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  contrastive alone {100 * r.SimilarityOnly:F2} %, itm_head alone {(r.MatchOnly is { } m ? $"{100 * m:F2} %" : "- (no itm_head)")}"));
        foreach (var (kind, a) in r.ByKind)
        {
            text.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind,-10} {100 * a.Accuracy:F2} % of {a.Questions} (chance {100 * a.Chance:F2} %)"));
        }
        return text.ToString().TrimEnd();
    }
}
