using System.Globalization;
using System.Text.Json.Nodes;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Qa;
using Umt.Plugins.Datasets.Synthetic;

namespace Umt.Runner.Workflows.Evaluation.Qa;

/// <summary>One multiple-choice question as the evaluation scores it.</summary>
/// <param name="Kind">What it asks (synthetic: colour, shape, size, direction), or null for a file's questions.</param>
public sealed record QaItem(string? Kind, IReadOnlyList<string> Candidates, int Answer);

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
            .Select(q => new QaItem(q.Kind.ToString().ToLowerInvariant(), q.Candidates, q.AnswerIndex))], tagged: false);

    /// <summary>The questions of a multiple-choice QA file.</summary>
    public static QaQuestionSet Of(IReadOnlyList<MultipleChoiceQuestion> questions) =>
        new([.. questions.Select(q => new QaItem(null, q.Candidates, q.Answer))], tagged: true);

    /// <summary>Writes the caption list (<c>video</c>, <c>caption</c> = the question's position) a caption-list video loader reads.</summary>
    public static void WriteVideoList(string path, IReadOnlyList<MultipleChoiceQuestion> questions) =>
        File.WriteAllText(path, new JsonArray([.. questions.Select((q, i) => new JsonObject
        {
            ["video"] = q.Video,
            ["caption"] = i.ToString(CultureInfo.InvariantCulture),
        })]).ToJsonString());

    /// <summary>The question of the sample read at <paramref name="index"/>.</summary>
    public QaItem Of(long index, VideoSample sample) =>
        items[tagged ? int.Parse(sample.Caption!, NumberStyles.None, CultureInfo.InvariantCulture) : checked((int)index)];
}
