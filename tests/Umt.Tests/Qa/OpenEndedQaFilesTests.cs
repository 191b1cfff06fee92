using System.Text.Json;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Workflows.Finetuning;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Qa;

/// <summary>What an open-ended QA fine-tune reads: synthetic questions, or the reference's QA files with their videos read through caption lists.</summary>
public sealed class OpenEndedQaFilesTests
{
    [Fact]
    public void Synthetic_data_answers_from_its_own_list_and_refuses_an_answer_file()
    {
        var data = new FinetuneData("synthetic", 16, 8, null, null, null);

        var files = OpenEndedQaFiles.Read(data, answerList: null, folder: "unused");

        files.Answers.Should().Equal(SyntheticQuestions.AnswerList);
        (files.Train, files.Test, files.Data).Should().Be((null, null, null), "the splits' generated questions are made from their plans");
        var refused = () => OpenEndedQaFiles.Read(data, "answers.json", "unused");
        refused.Should().Throw<ConfigurationException>().WithMessage("*--answers*synthetic*");
    }

    [Fact]
    public void Files_become_caption_lists_whose_caption_names_the_question_and_a_missing_answer_list_is_named()
    {
        using var dir = new TemporaryDirectory();
        string train = dir.Combine("msrvtt_qa_train.json"), test = dir.Combine("msrvtt_qa_test.json"), answers = dir.Combine("answer_list.json");
        File.WriteAllText(train, """[{"video": "a.mp4", "question": "what is he doing", "answer": "sing", "question_id": "q1"}, {"video": "b.mp4", "question": "who", "answer": "man", "question_id": "q2"}]""");
        File.WriteAllText(test, """[{"video": "c.mp4", "question": "what colour", "answer": ["red", "blue"], "question_id": 7}]""");
        File.WriteAllText(answers, """["sing", "man", "red"]""");
        var data = new FinetuneData("webvid", 0, 0, train, test, "/media");

        var missing = () => OpenEndedQaFiles.Read(data, answerList: null, dir.Combine("out"));
        missing.Should().Throw<ConfigurationException>().WithMessage("--answers (the answer list JSON) is required*webvid*");

        var files = OpenEndedQaFiles.Read(data, answers, dir.Combine("out"));

        files.Answers.Should().Equal("sing", "man", "red");
        files.Data!.TrainManifest.Should().Be(dir.Combine("out", OpenEndedQaFiles.TrainVideos));
        files.Data.TestManifest.Should().Be(dir.Combine("out", OpenEndedQaFiles.TestVideos));
        files.Data.Root.Should().Be("/media");
        using var list = JsonDocument.Parse(File.ReadAllText(files.Data.TrainManifest!));
        list.RootElement.EnumerateArray().Select(e => (e.GetProperty("video").GetString(), e.GetProperty("caption").GetString()))
            .Should().Equal(("a.mp4", "0"), ("b.mp4", "1"));
        // A sample read from row 1 of the list carries caption "1": the second training question, whatever its position in the batch.
        var second = files.Train!.Of(0, new VideoSample([], new Dictionary<string, int>(), Caption: "1"));
        (second.Question, second.Answers[0], second.Id).Should().Be(("who", "man", "q2"));
        var held = files.Test!.Of(5, new VideoSample([], new Dictionary<string, int>(), Caption: "0"));
        held.Answers.Should().Equal("red", "blue");
        held.Id.Should().Be("7");
    }
}
