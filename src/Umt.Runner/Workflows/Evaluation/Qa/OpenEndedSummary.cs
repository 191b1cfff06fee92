using System.Globalization;

namespace Umt.Runner.Workflows.Evaluation.Qa;

/// <summary>An open-ended result as readable lines: the reference's acc, chance, and per kind.</summary>
public static class OpenEndedSummary
{
    public static string Text(OpenEndedResult r)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        text.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  acc {r.Acc:F2} % over {r.Overall.Questions} questions, answers ranked from a list of {r.Answers} (top {r.RankedPerQuestion} re-scored; chance {100 * r.Overall.Chance:F2} %){(r.Unreadable > 0 ? $", {r.Unreadable} unreadable videos left out" : "")}"));
        foreach (var (kind, a) in r.ByKind)
        {
            text.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind,-10} {100 * a.Accuracy:F2} % of {a.Questions}"));
        }
        return text.ToString().TrimEnd();
    }
}
