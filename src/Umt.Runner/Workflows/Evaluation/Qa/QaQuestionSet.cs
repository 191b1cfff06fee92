using System.Globalization;
using System.Text.Json.Nodes;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Qa;
using Umt.Plugins.Datasets.Synthetic;

namespace Umt.Runner.Workflows.Evaluation.Qa;

/// <summary>One question as the evaluations score it, in the forms its source has.</summary>
/// <param name="Kind">What it asks (synthetic: colour, shape, size, direction), or null for a file's questions.</param>
/// <param name="Candidates">Multiple-choice texts (empty for an open-ended file's question).</param>
/// <param name="Answer">Index of the right candidate (−1 without candidates).</param>
public sealed record QaItem(string? Kind, IReadOnlyList<string> Candidates, int Answer)
{
    /// <summary>The open-ended question (null for a multiple-choice file's, whose candidates are whole texts).</summary>
    public string? Question { get; init; }

    /// <summary>The key of its prediction: the file's <c>question_id</c>, or the position in the set.</summary>
    public string Id { get; init; } = "";

    /// <summary>The accepted open-ended answers; the first is the one trained on.</summary>
    public IReadOnlyList<string> Answers { get; init; } = [];
}

/// <summary>
/// The questions of a multiple-choice evaluation and the clip each belongs to. Synthetic: clip
/// <c>i</c> of the held-out split has question <c>i</c>. A QA file: its videos are read through a
/// caption list (<see cref="WriteVideoList"/>) whose caption of row <c>i</c> is <c>i</c>, so a
/// sample names its question even where the video loader left rows out.
/// </summary>
public sealed class QaQuestionSet
{
    private readonly IReadOnlyList<QaItem> items;
    private readonly bool tagged;

    private QaQuestionSet(IReadOnlyList<QaItem> items, bool tagged)
    {
        this.items = items;
        this.tagged = tagged;
    }

    public int Count => items.Count;

    /// <summary>The generated questions of the synthetic dataset <paramref name="options"/> describes.</summary>
    public static QaQuestionSet Synthetic(SyntheticOptions options) =>
        new([.. Enumerable.Range(0, options.Clips).Select(i => SyntheticQuestions.For(options, i))
            .Select((q, i) => new QaItem(q.Kind.ToString().ToLowerInvariant(), q.Candidates, q.AnswerIndex)
                { Question = q.Question, Answers = [q.Answer], Id = i.ToString(CultureInfo.InvariantCulture) })], tagged: false);

    /// <summary>The questions of a multiple-choice QA file.</summary>
    public static QaQuestionSet Of(IReadOnlyList<MultipleChoiceQuestion> questions) =>
        new([.. questions.Select(q => new QaItem(null, q.Candidates, q.Answer) { Id = q.Entry.ToString(CultureInfo.InvariantCulture) })], tagged: true);

    /// <summary>The questions of an open-ended QA file.</summary>
    public static QaQuestionSet Of(IReadOnlyList<OpenEndedQuestion> questions) =>
        new([.. questions.Select(q => new QaItem(null, [], -1) { Question = q.Question, Answers = q.Answers, Id = q.QuestionId })], tagged: true);

    /// <summary>Whether every question has an open-ended form.</summary>
    public bool OpenEnded => items.All(item => item.Question is not null && item.Answers.Count > 0);

    /// <summary>Writes the caption list (<c>video</c>, <c>caption</c> = the question's position) a caption-list video loader reads.</summary>
    /// <param name="videos">Each question's video, in the file's order.</param>
    public static void WriteVideoList(string path, IEnumerable<string> videos) =>
        File.WriteAllText(path, new JsonArray([.. videos.Select((video, i) => new JsonObject
        {
            ["video"] = video,
            ["caption"] = i.ToString(CultureInfo.InvariantCulture),
        })]).ToJsonString());

    /// <summary>The question of the sample read at <paramref name="index"/>.</summary>
    public QaItem Of(long index, VideoSample sample) =>
        items[tagged ? int.Parse(sample.Caption!, NumberStyles.None, CultureInfo.InvariantCulture) : checked((int)index)];
}
