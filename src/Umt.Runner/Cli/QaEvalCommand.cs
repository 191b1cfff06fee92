using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Plugins.Datasets.Qa;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.Data;
using Umt.Runner.Workflows.Evaluation;
using Umt.Runner.Workflows.Evaluation.Qa;
using Umt.Runner.Workflows.Finetuning;

namespace Umt.Runner.Cli;

/// <summary><c>umt eval qa</c>: multiple-choice video QA of a stage-2 checkpoint (retrieval_mc.py's scoring), zero-shot or fine-tuned.</summary>
public static class QaEvalCommand
{
    public static Command Create(TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A stage-2 run folder (its latest checkpoint), a checkpoint folder, or a model.safetensors.", Required = true };
        var testCount = new Option<int>("--test") { Description = "Held-out clips, synthetic dataset (one generated question each).", DefaultValueFactory = _ => 256 }.AtLeast(1);
        var form = new Option<string>("--form") { Description = "multiple-choice (retrieval_mc.py's candidate scores) or open-ended (umt_qa.py's answer decoder ranking an answer list).", DefaultValueFactory = _ => QaForms.MultipleChoice };
        form.AcceptOnlyFromAmong(QaForms.MultipleChoice, QaForms.OpenEnded);
        var annotations = new Option<string?>("--annotations") { Description = "A QA JSON of the reference's: multiple-choice [{\"video\", \"caption\": [candidates], \"answer\": index}] (MSRVTT-MC), open-ended [{\"video\", \"question\", \"answer\", \"question_id\"}] (MSRVTT-QA, ActivityNet-QA)." };
        var answers = new Option<string?>("--answers") { Description = "Open-ended, with --annotations: the answer list JSON (the reference's answer_list)." };
        var k = new Option<int>("--k") { Description = "Open-ended: answers re-scored per question by their whole sequence (the reference's k_test).", DefaultValueFactory = _ => OpenEndedEvaluation.DefaultK }.AtLeast(1);
        var root = new Option<string?>("--root") { Description = "Media root of the annotations' videos." };
        var dataset = new Option<string?>("--dataset") { Description = "Video loader of the annotations' videos (a caption-list reader).", DefaultValueFactory = _ => "webvid" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (README: JSON output)." };
        var qa = new Command("qa", "Video QA of a stage-2 (or QA fine-tuned) checkpoint. Multiple-choice (MSRVTT-MC style): each (video, question + candidate) pair scored as the reference's retrieval_mc.py, 0.7 × the matching head's P(match) + 0.3 × the candidates' contrastive softmax. Open-ended (--form open-ended, MSRVTT-QA style): the answer decoder ranks the answer list as umt_qa.py. Accuracy over the questions (synthetic: one generated question per held-out clip; files: --annotations with --root).")
        {
            checkpoint, form, testCount, annotations, answers, k, root, dataset, json,
        };
        qa.SetAction(parse => UmtCommandLine.GuardedWith(parse, error, build =>
        {
            var reference = CheckpointReference.Resolve(parse.GetValue(checkpoint)!);
            string? file = parse.GetValue(annotations);
            if (file is not null && !File.Exists(file))
            {
                throw new ConfigurationException($"--annotations: no file '{file}'.");
            }
            bool openEnded = parse.GetValue(form) == QaForms.OpenEnded;
            if (!openEnded && parse.GetValue(answers) is not null)
            {
                throw new ConfigurationException("--answers goes with --form open-ended.");
            }
            var multipleChoice = file is null || openEnded ? null : QaJson.ReadMultipleChoice(file);
            var open = file is null || !openEnded ? null : QaJson.ReadOpenEnded(file);
            var answerList = openEnded ? OpenEndedQaFiles.AnswerList(parse.GetValue(answers), file is null ? null : parse.GetValue(dataset)) : null;
            var videos = multipleChoice?.Select(q => q.Video) ?? open?.Select(q => q.Video);
            string? videoList = null;
            try
            {
                IReadOnlyList<string> sets;
                if (videos is null)
                {
                    sets = new RunOverrides().SyntheticSplit("test", parse.GetValue(testCount)).Sets;
                }
                else
                {
                    videoList = Path.Combine(Path.GetTempPath(), $"umt-qa-videos-{Guid.NewGuid():N}.json");
                    QaQuestionSet.WriteVideoList(videoList, videos);
                    sets = DatasetOverrides.FromManifest(build(reference.Under), videoList, parse.GetValue(root) ?? throw new ConfigurationException("--root is required with --annotations."), parse.GetValue(dataset)).Sets;
                }
                var services = build(a => reference.Under(a) with { Sets = [.. a.Sets, .. sets] });
                var plan = services.GetRequiredService<RunPlan>();
                var set = multipleChoice is not null ? QaQuestionSet.Of(multipleChoice) : open is not null ? QaQuestionSet.Of(open) : QaData.SyntheticQuestions(plan);
                var log = services.GetRequiredService<ILogger>();
                int Report<T>(string form, T result, Func<T, string> summary)
                {
                    if (parse.GetValue(json))
                    {
                        CliJson.Write(output, result);
                        return ExitCodes.Success;
                    }
                    output.WriteLine($"{form} QA of {reference.ModelFile} on {file ?? "synthetic held-out clips"}:");
                    output.WriteLine(summary(result));
                    return ExitCodes.Success;
                }
                if (openEnded)
                {
                    using var qaModel = VideoQaModel.Load(plan, reference.ModelFile, pretrained: true, log);
                    return Report(QaForms.OpenEnded, new OpenEndedEvaluation(qaModel, log, new ProgressRenderer(error)).Run(plan, set, answerList!, parse.GetValue(k), cancel), OpenEndedSummary.Text);
                }
                using var model = FrozenVisionLanguage.Load(plan, reference.ModelFile, log);
                return Report(QaForms.MultipleChoice, new MultipleChoiceEvaluation(model, log, new ProgressRenderer(error)).Run(plan, set, cancel), MultipleChoiceSummary.Text);
            }
            finally
            {
                if (videoList is not null)
                {
                    File.Delete(videoList);
                }
            }
        }));
        return qa;
    }
}
