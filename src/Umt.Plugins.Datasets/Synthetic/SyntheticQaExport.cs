using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Umt.Plugins.Datasets.Synthetic;

/// <summary>Where <see cref="SyntheticQaExport"/> wrote the QA files.</summary>
public sealed record SyntheticQaFiles(string MultipleChoice, string OpenEnded, string AnswerList);

/// <summary>
/// Writes the questions of exported SyntheticActions clips in the reference's QA forms: the
/// MSRVTT-MC test form (<c>video</c>, <c>caption</c> = the candidates, <c>answer</c> = the right
/// one's index), the MSRVTT-QA form (<c>video</c>, <c>question</c>, <c>answer</c>,
/// <c>question_id</c>) and the answer list.
/// </summary>
public static class SyntheticQaExport
{
    public const string MultipleChoiceJson = "qa_mc.json";
    public const string OpenEndedJson = "qa_open.json";
    public const string AnswerListJson = "qa_answer_list.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <param name="videos">The clip files in clip order, relative to <paramref name="folder"/>.</param>
    /// <param name="dataset">The synthetic dataset the clips are (its seed and split).</param>
    public static SyntheticQaFiles Write(string folder, IReadOnlyList<string> videos, SyntheticOptions dataset)
    {
        var questions = videos.Select((video, i) => (Video: video, Q: SyntheticQuestions.For(dataset, i))).ToList();
        var mc = new JsonArray([.. questions.Select(q => new JsonObject
        {
            ["video"] = q.Video,
            ["caption"] = new JsonArray([.. q.Q.Candidates.Select(c => JsonValue.Create(c))]),
            ["answer"] = q.Q.AnswerIndex,
        })]);
        var open = new JsonArray([.. questions.Select((q, i) => new JsonObject
        {
            ["video"] = q.Video,
            ["question"] = q.Q.Question,
            ["answer"] = q.Q.Answer,
            ["question_id"] = i.ToString(CultureInfo.InvariantCulture),
        })]);
        var answers = new JsonArray([.. SyntheticQuestions.AnswerList.Select(a => JsonValue.Create(a))]);
        return new SyntheticQaFiles(Save(folder, MultipleChoiceJson, mc), Save(folder, OpenEndedJson, open), Save(folder, AnswerListJson, answers));
    }

    private static string Save(string folder, string name, JsonNode node)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, node.ToJsonString(Indented), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }
}
