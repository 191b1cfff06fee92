using Umt.Plugins.Datasets.Qa;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Qa;

/// <summary>The reference's QA annotation files, hand-written in its forms: MSRVTT-MC, MSRVTT-QA / ActivityNet-QA, the answer list.</summary>
public sealed class QaJsonTests
{
    [Fact]
    public void Multiple_choice_entries_read_with_their_candidates_cleaned_as_pre_text()
    {
        using var dir = new TemporaryDirectory();
        string file = Write(dir, "msrvtt_mc_test.json", """
            [{"video": "video7010.mp4", "caption": ["A man is Singing.", "a dog runs", "two cats", "cooking pasta", "a car-race"], "answer": 0},
             {"video": "video7011.mp4", "caption": ["x", "y"], "answer": 1}]
            """);
        var questions = QaJson.ReadMultipleChoice(file);
        questions.Should().HaveCount(2);
        questions[0].Should().BeEquivalentTo(new MultipleChoiceQuestion(1, "video7010.mp4", ["a man is singing", "a dog runs", "two cats", "cooking pasta", "a car race"], 0));
        questions[1].Answer.Should().Be(1);
        questions[1].Entry.Should().Be(2);
    }

    [Fact]
    public void Open_ended_entries_keep_answers_as_written_and_number_entries_without_an_id()
    {
        using var dir = new TemporaryDirectory();
        string file = Write(dir, "msrvtt_qa_test.json", """
            [{"video": "video7010.mp4", "question": "What is the Man doing?", "answer": "Singing", "question_id": "msrvtt_qa_1"},
             {"video": "v_abc.mp4", "question": "is it raining", "answer": ["yes", "no", "yes"], "question_id": 17},
             {"video": "v_def.mp4", "question": "who?", "answer": "man"}]
            """);
        var questions = QaJson.ReadOpenEnded(file);
        questions[0].Should().BeEquivalentTo(new OpenEndedQuestion(1, "video7010.mp4", "what is the man doing", ["Singing"], "msrvtt_qa_1"));
        questions[1].Answers.Should().Equal("yes", "no", "yes");
        questions[1].QuestionId.Should().Be("17");
        questions[2].QuestionId.Should().Be("3");
    }

    [Fact]
    public void The_answer_list_reads_in_order()
    {
        using var dir = new TemporaryDirectory();
        QaJson.ReadAnswerList(Write(dir, "answer_list.json", """["yes", "no", "man", "playing guitar"]""")).Should().Equal("yes", "no", "man", "playing guitar");
    }

    [Theory]
    [InlineData("""[{"video": "a.mp4", "caption": ["x", "y"], "answer": 2}]""", "entry 1: field 'answer' is 2, outside the 2 candidates (0-based)")]
    [InlineData("""[{"video": "a.mp4", "caption": ["x", "y"], "answer": 0}, {"caption": ["x", "y"], "answer": 0}]""", "entry 2: missing field 'video'")]
    [InlineData("""[{"video": "a.mp4", "caption": "x", "answer": 0}]""", "entry 1: field 'caption' must be a list of candidate texts")]
    [InlineData("""[{"video": "a.mp4", "caption": ["only"], "answer": 0}]""", "entry 1: field 'caption' has 1 candidate(s); a multiple-choice question needs at least 2")]
    [InlineData("""[{"video": "a.mp4", "caption": ["x", 3], "answer": 0}]""", "entry 1: field 'caption' holds a value that is not a non-empty string")]
    [InlineData("""[{"video": "a.mp4", "caption": ["x", "y"], "answer": "0"}]""", "entry 1: field 'answer' must be the integer index of the right candidate")]
    [InlineData("""[3]""", "entry 1: a JSON number, not an object")]
    public void A_malformed_multiple_choice_entry_is_an_error_naming_the_file_and_entry(string json, string message)
    {
        using var dir = new TemporaryDirectory();
        string file = Write(dir, "mc.json", json);
        var read = () => QaJson.ReadMultipleChoice(file);
        read.Should().Throw<InvalidDataException>().Which.Message.Should().StartWith($"{file}: {message}: ");
    }

    [Theory]
    [InlineData("""[{"video": "a.mp4", "answer": "yes"}]""", "entry 1: missing field 'question'")]
    [InlineData("""[{"video": "a.mp4", "question": "q", "answer": 3}]""", "entry 1: field 'answer' must be a string or a list of strings")]
    [InlineData("""[{"video": "a.mp4", "question": "q", "answer": []}]""", "entry 1: empty answer")]
    public void A_malformed_open_ended_entry_is_an_error_naming_the_file_and_entry(string json, string message)
    {
        using var dir = new TemporaryDirectory();
        string file = Write(dir, "qa.json", json);
        var read = () => QaJson.ReadOpenEnded(file);
        read.Should().Throw<InvalidDataException>().Which.Message.Should().StartWith($"{file}: {message}: ");
    }

    [Fact]
    public void Repeated_ids_answers_and_wrong_roots_are_errors_naming_the_file()
    {
        using var dir = new TemporaryDirectory();
        string qa = Write(dir, "qa.json", """[{"video": "a.mp4", "question": "q", "answer": "x", "question_id": 5}, {"video": "b.mp4", "question": "r", "answer": "y", "question_id": 5}]""");
        FluentActions.Invoking(() => QaJson.ReadOpenEnded(qa)).Should().Throw<InvalidDataException>().WithMessage($"{qa}: entries 1 and 2 share question_id '5'*");
        string answers = Write(dir, "answers.json", """["yes", "no", "yes"]""");
        FluentActions.Invoking(() => QaJson.ReadAnswerList(answers)).Should().Throw<InvalidDataException>().WithMessage($"{answers}: entry 3: the answer 'yes' repeats entry 1.");
        string notList = Write(dir, "object.json", """{"video": "a.mp4"}""");
        FluentActions.Invoking(() => QaJson.ReadMultipleChoice(notList)).Should().Throw<InvalidDataException>().WithMessage($"{notList}: The multiple-choice QA JSON must be a JSON array, but it is a JSON object.");
        string broken = Write(dir, "broken.json", "[{");
        FluentActions.Invoking(() => QaJson.ReadAnswerList(broken)).Should().Throw<InvalidDataException>().WithMessage($"{broken}: The answer list JSON is not valid JSON*");
        FluentActions.Invoking(() => QaJson.ReadAnswerList(Path.Combine(dir.Path, "absent.json"))).Should().Throw<FileNotFoundException>().WithMessage("*absent.json: no such answer list JSON file.");
    }

    private static string Write(TemporaryDirectory dir, string name, string text)
    {
        string path = Path.Combine(dir.Path, name);
        File.WriteAllText(path, text);
        return path;
    }
}
