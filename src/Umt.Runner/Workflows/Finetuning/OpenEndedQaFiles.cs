using Umt.Plugins.Datasets.Qa;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Workflows.Evaluation.Qa;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// The questions and answer list of an open-ended QA fine-tune. Synthetic: the splits' generated
/// questions (made from the plans later) and the generated answer list. Files: the training and
/// held-out QA JSONs and the answer list, their videos read through caption lists written into the
/// output folder (<see cref="QaQuestionSet.WriteVideoList"/>), which become the splits' manifests.
/// </summary>
/// <param name="Train">The training questions of files (null: the synthetic split's).</param>
/// <param name="Test">The held-out questions of files (null: the synthetic split's).</param>
/// <param name="Data">The splits pointed at the video lists (null: synthetic, unchanged).</param>
public sealed record OpenEndedQaFiles(QaQuestionSet? Train, QaQuestionSet? Test, IReadOnlyList<string> Answers, FinetuneData? Data)
{
    public const string TrainVideos = "qa-train-videos.json";
    public const string TestVideos = "qa-test-videos.json";

    /// <exception cref="ConfigurationException">A file is not given or does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is malformed (named with its entry).</exception>
    public static OpenEndedQaFiles Read(FinetuneData data, string? answerList, string folder)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Name == "synthetic")
        {
            return new(null, null, AnswerList(answerList, files: null), null);
        }
        var train = QaJson.ReadOpenEnded(Existing(data.TrainManifest, "--train-manifest (an open-ended QA JSON)", data.Name));
        var test = QaJson.ReadOpenEnded(Existing(data.TestManifest, "--test-manifest (an open-ended QA JSON)", data.Name));
        var answers = AnswerList(answerList, data.Name);
        Directory.CreateDirectory(folder);
        string trainVideos = Path.Combine(folder, TrainVideos), testVideos = Path.Combine(folder, TestVideos);
        QaQuestionSet.WriteVideoList(trainVideos, train.Select(q => q.Video));
        QaQuestionSet.WriteVideoList(testVideos, test.Select(q => q.Video));
        return new(QaQuestionSet.Of(train), QaQuestionSet.Of(test), answers, data with { TrainManifest = trainVideos, TestManifest = testVideos });
    }

    /// <summary>The answer list of open-ended QA: the synthetic questions' own, or the <c>--answers</c> file that questions from files need.</summary>
    /// <param name="answerList">The <c>--answers</c> file, if given.</param>
    /// <param name="files">The dataset the questions' videos come from, or null for the synthetic questions.</param>
    /// <exception cref="ConfigurationException">An answer file beside the synthetic questions, or none (or a missing one) beside files.</exception>
    public static IReadOnlyList<string> AnswerList(string? answerList, string? files) =>
        files is null
            ? answerList is null ? SyntheticQuestions.AnswerList
                : throw new ConfigurationException("--answers: the synthetic dataset answers from its own list (colours, shapes, sizes, motions); --answers goes with a dataset of files.")
            : QaJson.ReadAnswerList(Existing(answerList, "--answers (the answer list JSON)", files));

    private static string Existing(string? path, string option, string dataset) =>
        path is null ? throw new ConfigurationException($"{option} is required for open-ended QA on the '{dataset}' dataset.")
        : File.Exists(path) ? path : throw new ConfigurationException($"{option}: no file '{path}'.");
}
