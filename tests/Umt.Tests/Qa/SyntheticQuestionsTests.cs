using Umt.Plugins.Datasets.Manifests;
using Umt.Plugins.Datasets.Qa;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Tests.Datasets;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Qa;

/// <summary>The generated questions of SyntheticActions: answers true of the rendered clip, both QA forms, and the export in the reference's JSON.</summary>
public sealed class SyntheticQuestionsTests
{
    [Fact]
    public void Every_answer_is_true_of_the_clip_the_dataset_renders()
    {
        var options = new SyntheticOptions { Clips = 160, Split = "test", Seed = 7 };
        using var dataset = SyntheticDatasetHarness.Create(options, frames: 4, imageSize: 32);
        var kinds = new HashSet<SyntheticQuestionKind>();
        for (int i = 0; i < options.Clips; i++)
        {
            var sample = dataset.Read(i, 0);
            var q = SyntheticQuestions.For(options, i);
            kinds.Add(q.Kind);
            int appearance = sample.Labels[SyntheticVocabulary.AppearanceLabel];
            // The truth from the rendered sample: its labels, and the size word of its caption.
            string expected = q.Kind switch
            {
                SyntheticQuestionKind.Colour => SyntheticVocabulary.Name(SyntheticVocabulary.ColourOf(appearance)),
                SyntheticQuestionKind.Shape => SyntheticVocabulary.Name(SyntheticVocabulary.ShapeOf(appearance)),
                SyntheticQuestionKind.Size => sample.Caption!.Split(' ')[1],
                _ => SyntheticVocabulary.Phrase((SyntheticMotion)sample.Labels[SyntheticVocabulary.MotionLabel]),
            };
            q.Answer.Should().Be(expected, $"clip {i}: {sample.Caption} asked '{q.Question}'");
            q.Question.Should().NotContain(q.Answer, "the object is named by its other attributes");
            SyntheticQuestions.AnswerList.Should().Contain(q.Answer);

            q.Candidates.Should().HaveCount(q.Kind == SyntheticQuestionKind.Size ? 2 : SyntheticQuestions.Candidates).And.OnlyHaveUniqueItems();
            q.Candidates.Should().OnlyContain(c => c.StartsWith(q.Question + " ", StringComparison.Ordinal));
            q.Candidates[q.AnswerIndex].Should().Be($"{q.Question} {q.Answer}");
            SyntheticQuestions.For(options, i).Should().BeEquivalentTo(q, "a question is a function of (seed, split, index)");
        }
        kinds.Should().HaveCount(4);
        Enumerable.Range(0, options.Clips).Select(i => SyntheticQuestions.For(options, i).AnswerIndex).Distinct().Should().HaveCountGreaterThan(3, "the right candidate's place varies");
    }

    [Fact]
    public void The_export_reads_back_with_the_reference_form_readers()
    {
        using var dir = new TemporaryDirectory();
        var options = new SyntheticOptions { Seed = 3 };
        string[] videos = ["videos/clip_000000.mp4", "videos/clip_000001.mp4", "videos/clip_000002.mp4"];
        var files = SyntheticQaExport.Write(dir.Path, videos, options);

        var mc = QaJson.ReadMultipleChoice(files.MultipleChoice);
        var open = QaJson.ReadOpenEnded(files.OpenEnded);
        var answers = QaJson.ReadAnswerList(files.AnswerList);
        answers.Should().Equal(SyntheticQuestions.AnswerList).And.HaveCount(24);
        for (int i = 0; i < videos.Length; i++)
        {
            var q = SyntheticQuestions.For(options, i);
            mc[i].Video.Should().Be(videos[i]);
            mc[i].Answer.Should().Be(q.AnswerIndex);
            // pre_text drops the question mark when the readers clean the texts, as the reference's datasets do.
            mc[i].Candidates[q.AnswerIndex].Should().Be(CaptionText.Clean(q.Candidates[q.AnswerIndex]));
            open[i].Should().BeEquivalentTo(new OpenEndedQuestion(i + 1, videos[i], CaptionText.Clean(q.Question), [q.Answer], $"{i}"));
        }
    }
}
