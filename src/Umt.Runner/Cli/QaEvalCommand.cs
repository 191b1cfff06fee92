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

namespace Umt.Runner.Cli;

/// <summary><c>umt eval qa</c>: multiple-choice video QA of a stage-2 checkpoint (retrieval_mc.py's scoring), zero-shot or fine-tuned.</summary>
public static class QaEvalCommand
{
    public static Command Create(TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A stage-2 run folder (its latest checkpoint), a checkpoint folder, or a model.safetensors.", Required = true };
        var testCount = new Option<int>("--test") { Description = "Held-out clips, synthetic dataset (one generated question each).", DefaultValueFactory = _ => 256 }.AtLeast(1);
        var annotations = new Option<string?>("--annotations") { Description = "A multiple-choice QA JSON in the reference's MSRVTT-MC form: [{\"video\", \"caption\": [candidates], \"answer\": index}]." };
        var root = new Option<string?>("--root") { Description = "Media root of the annotations' videos." };
        var dataset = new Option<string?>("--dataset") { Description = "Video loader of the annotations' videos (a caption-list reader).", DefaultValueFactory = _ => "webvid" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (README: JSON output)." };
        var qa = new Command("qa", "Multiple-choice video QA (MSRVTT-MC style) of a stage-2 checkpoint: each (video, question + candidate) pair scored as the reference's retrieval_mc.py, 0.7 × the matching head's P(match) + 0.3 × the candidates' contrastive softmax; accuracy over the questions (synthetic: one generated question per held-out clip; files: --annotations with --root).")
        {
            checkpoint, testCount, annotations, root, dataset, json,
        };
        qa.SetAction(parse => UmtCommandLine.GuardedWith(parse, error, build =>
        {
            var reference = CheckpointReference.Resolve(parse.GetValue(checkpoint)!);
            string? file = parse.GetValue(annotations);
            if (file is not null && !File.Exists(file))
            {
                throw new ConfigurationException($"--annotations: no file '{file}'.");
            }
            var questions = file is null ? null : QaJson.ReadMultipleChoice(file);
            string? videoList = null;
            try
            {
                IReadOnlyList<string> sets;
                if (questions is null)
                {
                    sets = new RunOverrides().SyntheticSplit("test", parse.GetValue(testCount)).Sets;
                }
                else
                {
                    videoList = Path.Combine(Path.GetTempPath(), $"umt-qa-videos-{Guid.NewGuid():N}.json");
                    QaQuestionSet.WriteVideoList(videoList, questions);
                    sets = DatasetOverrides.FromManifest(build(reference.Under), videoList, parse.GetValue(root) ?? throw new ConfigurationException("--root is required with --annotations."), parse.GetValue(dataset)).Sets;
                }
                var services = build(a => reference.Under(a) with { Sets = [.. a.Sets, .. sets] });
                var plan = services.GetRequiredService<RunPlan>();
                var set = questions is null ? QaData.SyntheticQuestions(plan) : QaQuestionSet.Of(questions);
                var log = services.GetRequiredService<ILogger>();
                using var model = FrozenVisionLanguage.Load(plan, reference.ModelFile, log);
                var result = new MultipleChoiceEvaluation(model, log, new ProgressRenderer(error)).Run(plan, set, cancel);
                if (parse.GetValue(json))
                {
                    CliJson.Write(output, result);
                    return ExitCodes.Success;
                }
                output.WriteLine($"multiple-choice QA of {reference.ModelFile} on {file ?? "synthetic held-out clips"}:");
                output.WriteLine(MultipleChoiceSummary.Text(result));
                return ExitCodes.Success;
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
