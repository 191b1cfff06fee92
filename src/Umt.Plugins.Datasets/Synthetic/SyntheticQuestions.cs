using Umt.Plugins.Datasets.Randomness;

namespace Umt.Plugins.Datasets.Synthetic;

/// <summary>What a synthetic question asks about the clip's main object.</summary>
public enum SyntheticQuestionKind
{
    Colour,
    Shape,
    Size,
    Direction,
}

/// <summary>
/// A generated question about one SyntheticActions clip, in both QA forms: open-ended
/// (<see cref="Question"/> → <see cref="Answer"/>, one of <see cref="SyntheticQuestions.AnswerList"/>)
/// and multiple-choice (<see cref="Candidates"/>, each "question + answer" as issue 22 scores
/// them, the right one at <see cref="AnswerIndex"/>).
/// </summary>
public sealed record SyntheticQuestion(SyntheticQuestionKind Kind, string Question, string Answer, IReadOnlyList<string> Candidates, int AnswerIndex);

/// <summary>
/// Questions with answers about the main object of SyntheticActions clips: its colour, shape,
/// size or direction, the object named by its other attributes ("what colour is the small
/// triangle?"), so a distractor of another shape and colour is never the one asked about. Clip
/// <c>i</c> of a split gets one question, drawn from its own key: the same on every machine.
/// Questions carry no question mark: the reference's <c>pre_text</c> drops it before tokenising,
/// and the in-memory texts then equal what a QA file's reader hands on.
/// </summary>
public static class SyntheticQuestions
{
    /// <summary>Candidates of a multiple-choice question (MSRVTT-MC's 5); a size question has the two sizes only.</summary>
    public const int Candidates = 5;

    // Key domain of the question draws, apart from the dataset's own ("SynthQA1").
    private static readonly ulong Domain = SplitMix64.Mix(0x5379_6E74_6851_4131UL);

    /// <summary>Every answer an open-ended question can have (the reference's answer list): colours, shapes, sizes, motions.</summary>
    public static IReadOnlyList<string> AnswerList { get; } =
    [
        .. Enum.GetValues<SyntheticColour>().Select(SyntheticVocabulary.Name),
        .. Enum.GetValues<SyntheticShape>().Select(SyntheticVocabulary.Name),
        .. Enum.GetValues<SyntheticSize>().Select(SyntheticVocabulary.Name),
        .. Enum.GetValues<SyntheticMotion>().Select(SyntheticVocabulary.Phrase),
    ];

    /// <summary>The question of clip <paramref name="index"/> of the dataset <paramref name="options"/> describes (its seed and split).</summary>
    public static SyntheticQuestion For(SyntheticOptions options, long index)
    {
        ArgumentNullException.ThrowIfNull(options);
        var scene = SyntheticVideoDataset.Latent(options, index);
        var rng = new SplitMix64(SplitMix64.Key(Domain, unchecked((ulong)options.Seed), options.Split == "test" ? 1UL : 0UL, (ulong)index));
        // Image samples stand still: a direction question would always be "standing still".
        var kind = (SyntheticQuestionKind)rng.NextInt(options.Images ? 3 : 4);
        string size = SyntheticVocabulary.Name(scene.Size), colour = SyntheticVocabulary.Name(scene.Colour), shape = SyntheticVocabulary.Name(scene.Shape);
        var (question, answer, choices) = kind switch
        {
            SyntheticQuestionKind.Colour => ($"what colour is the {size} {shape}", colour, Names<SyntheticColour>(SyntheticVocabulary.Name)),
            SyntheticQuestionKind.Shape => ($"what shape is the {size} {colour} object", shape, Names<SyntheticShape>(SyntheticVocabulary.Name)),
            SyntheticQuestionKind.Size => ($"what size is the {colour} {shape}", size, Names<SyntheticSize>(SyntheticVocabulary.Name)),
            _ => ($"how is the {size} {colour} {shape} moving", SyntheticVocabulary.Phrase(scene.Motion), Names<SyntheticMotion>(SyntheticVocabulary.Phrase)),
        };
        var picked = Draw(choices, answer, Math.Min(Candidates, choices.Count), ref rng);
        return new SyntheticQuestion(kind, question, answer, [.. picked.Select(a => $"{question} {a}")], picked.IndexOf(answer));
    }

    private static List<string> Names<T>(Func<T, string> name) where T : struct, Enum => [.. Enum.GetValues<T>().Select(name)];

    /// <summary>The answer and <paramref name="count"/> − 1 other choices, in a keyed random order (a partial Fisher–Yates shuffle).</summary>
    private static List<string> Draw(List<string> choices, string answer, int count, ref SplitMix64 rng)
    {
        var others = choices.Where(c => c != answer).ToList();
        for (int i = 0; i < count - 1; i++)
        {
            int j = i + rng.NextInt(others.Count - i);
            (others[i], others[j]) = (others[j], others[i]);
        }
        var picked = others.Take(count - 1).ToList();
        picked.Insert(rng.NextInt(count), answer);
        return picked;
    }
}
