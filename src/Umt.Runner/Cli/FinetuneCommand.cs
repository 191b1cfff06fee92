using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Logging;
using Umt.Runner.Engine.Progress;
using Umt.Plugins.Datasets.Qa;
using Umt.Runner.Workflows.Data;
using Umt.Runner.Workflows.Evaluation.Qa;
using Umt.Runner.Workflows.Finetuning;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt finetune</c>: action classification from a pretrained student (mean pool → fc_norm →
/// dropout → head, layer-wise lr decay, multi-view test) or, with <c>--task retrieval</c>, the
/// reference's retrieval fine-tuning of a stage-2 checkpoint (VTC + VTM, no masking).
/// </summary>
public static class FinetuneCommand
{
    public const string ResultsFile = "results.json";

    public static Command Create(TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A run folder (its latest checkpoint), a checkpoint folder, or a model.safetensors.", Required = true };
        var task = new Option<string>("--task") { Description = "classification (a stage-1 or stage-2 student), retrieval or qa (a stage-2 checkpoint), or detection (AVA-style actor boxes).", DefaultValueFactory = _ => "classification" };
        task.AcceptOnlyFromAmong("classification", "retrieval", "qa", "detection");
        var qaForm = new Option<string>("--qa-form") { Description = "QA: multiple-choice (the retrieval fine-tune, then candidates scored as retrieval_mc.py) or open-ended (an answer decoder ranking an answer list, as umt_qa.py).", DefaultValueFactory = _ => QaForms.MultipleChoice };
        qaForm.AcceptOnlyFromAmong(QaForms.MultipleChoice, QaForms.OpenEnded);
        var answers = new Option<string?>("--answers") { Description = "Open-ended QA on files: the answer list JSON (the reference's answer_list); --train-manifest and --test-manifest are then open-ended QA JSONs." };
        var label = new Option<string?>("--label") { Description = "Label set to classify (synthetic: motion or appearance; default: the dataset's only one)." };
        var outDirectory = new Option<string?>("--out") { Description = "Output folder: model.safetensors (or the retrieval run), results.json, log.jsonl (default: runs/finetune-<task>)." };
        var trainCount = new Option<int>("--train") { Description = "Training clips, synthetic dataset.", DefaultValueFactory = _ => 1024 }.AtLeast(1);
        var testCount = new Option<int>("--test") { Description = "Held-out clips, synthetic dataset.", DefaultValueFactory = _ => 512 }.AtLeast(1);
        var trainManifest = new Option<string?>("--train-manifest") { Description = "Training split of a dataset of files (read with its training augmentation)." };
        var testManifest = new Option<string?>("--test-manifest") { Description = "Held-out split of a dataset of files (eval mode)." };
        var root = new Option<string?>("--root") { Description = "Media root of both manifests." };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset plugin of the manifests (default: Umt:Dataset:Use)." };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training split.", DefaultValueFactory = _ => 5 }.AtLeast(1);
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps (wins over --epochs)." }.AtLeast(1);
        var warmupEpochs = new Option<int?>("--warmup-epochs") { Description = "Linear warm-up, in epochs (default: 20 % of the steps)." }.AtLeast(0);
        var warmupSteps = new Option<int?>("--warmup-steps") { Description = "Linear warm-up, in steps (wins over --warmup-epochs)." }.AtLeast(0);
        var batch = new Option<int>("--batch") { Description = "Clips per step.", DefaultValueFactory = _ => 16 }.AtLeast(1);
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate: classification and detection per Umt:Optimizer:BaseBatch clips, scaled by the batch; retrieval as given (default: 5e-4 classification, 1e-4 retrieval, 2.5e-4 detection)." };
        var minLr = new Option<double>("--min-lr") { Description = "Learning rate at the end of the cosine.", DefaultValueFactory = _ => 1e-6 };
        var warmupLr = new Option<double>("--warmup-lr") { Description = "Classification: first warm-up rate, scaled as --lr (the reference's warmup_lr).", DefaultValueFactory = _ => 1e-6 };
        var layerDecay = new Option<double?>("--layer-decay") { Description = "Layer-wise lr decay: block i trains at decay^(L − i) of the head's rate (default: 0.75; open-ended QA 1, as multi_modality)." };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW weight decay (none on biases, norms, position tables).", DefaultValueFactory = _ => 0.05 };
        var dropPath = new Option<double>("--drop-path") { Description = "Drop-path rate of the last block (linear over depth).", DefaultValueFactory = _ => 0.1 };
        var headDropout = new Option<double>("--head-dropout") { Description = "Dropout before the linear head (the reference's fc_drop_rate).", DefaultValueFactory = _ => 0.0 };
        var smoothing = new Option<double>("--label-smoothing") { Description = "Label smoothing of the cross-entropy.", DefaultValueFactory = _ => 0.1 };
        var initScale = new Option<double>("--init-scale") { Description = "Scale of the head's initial weights (the reference's init_scale).", DefaultValueFactory = _ => 0.001 };
        var testClips = new Option<int>("--test-clips") { Description = "Temporal views per held-out clip (the reference's test_num_segment).", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var testCrops = new Option<int>("--test-crops") { Description = "Spatial views per held-out clip (the reference's test_num_crop).", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var rerank = new Option<int>("--rerank") { Description = "Retrieval: candidates per query re-scored by itm_head (0: contrastive only).", DefaultValueFactory = _ => 128 }.AtLeast(0);
        var labelMap = new Option<string?>("--labelmap") { Description = "Detection: the actions the head predicts, an AVA label map (.pbtxt; default on synthetic data: its motions)." };
        var untrained = new Option<bool>("--untrained") { Description = "Detection and open-ended QA: keep the student's random initialisation (the checkpoint gives only its configuration; QA's text encoder keeps its plugin's), the baseline a pretrained one is compared with." };
        var json = new Option<bool>("--json") { Description = "Print results.json instead of the summary." };
        var finetune = new Command("finetune", "Fine-tune a pretrained student: action classification (mean pool → fc_norm → dropout → head, layer-wise lr decay, AdamW 0.9/0.999, warm-up + cosine; multi-view top-1/top-5 on the held-out split), or --task retrieval (VTC + VTM from a stage-2 checkpoint, every token visible; then retrieval on the held-out split).")
        {
            checkpoint, task, qaForm, answers, label, outDirectory, trainCount, testCount, trainManifest, testManifest, root, dataset, epochs, steps, warmupEpochs, warmupSteps,
            batch, lr, minLr, warmupLr, layerDecay, weightDecay, dropPath, headDropout, smoothing, initScale, testClips, testCrops, rerank, labelMap, untrained, json,
        };
        finetune.SetAction(parse => UmtCommandLine.GuardedWith(parse, error, build =>
        {
            bool openEnded = parse.GetValue(task) == "qa" && parse.GetValue(qaForm) == QaForms.OpenEnded;
            bool qa = parse.GetValue(task) == "qa" && !openEnded, detection = parse.GetValue(task) == "detection";
            bool retrieval = qa || parse.GetValue(task) == "retrieval";
            var progress = new ProgressRenderer(error);
            var settings = new FinetuneSettings(
                Lr: parse.GetValue(lr) ?? (retrieval || openEnded ? 1e-4 : detection ? 2.5e-4 : 5e-4), MinLr: parse.GetValue(minLr), WarmupLr: parse.GetValue(warmupLr),
                Epochs: parse.GetValue(epochs), Steps: parse.GetValue(steps), WarmupEpochs: parse.GetValue(warmupEpochs), WarmupSteps: parse.GetValue(warmupSteps),
                BatchSize: parse.GetValue(batch), WeightDecay: parse.GetValue(weightDecay), LayerDecay: parse.GetValue(layerDecay) ?? (openEnded ? 1.0 : 0.75),
                DropPath: parse.GetValue(dropPath), HeadDropout: parse.GetValue(headDropout), LabelSmoothing: parse.GetValue(smoothing),
                InitScale: parse.GetValue(initScale), TestClips: parse.GetValue(testClips), TestCrops: parse.GetValue(testCrops));
            var reference = CheckpointReference.Resolve(parse.GetValue(checkpoint)!);
            var configured = build(reference.Under);
            string name = parse.GetValue(dataset) ?? configured.GetRequiredService<IConfiguration>()["Umt:Dataset:Use"] ?? "";
            // Before any dataset is opened: a missing label map is a usage error, not a dataset's.
            var actions = detection ? DetectionLabels.Resolve(parse.GetValue(labelMap), name) : null;
            var data = new FinetuneData(name, parse.GetValue(trainCount), parse.GetValue(testCount), parse.GetValue(trainManifest), parse.GetValue(testManifest), parse.GetValue(root));
            string folder = Path.GetFullPath(parse.GetValue(outDirectory) ?? Path.Combine("runs", $"finetune-{parse.GetValue(task)}"));
            if (File.Exists(Path.Combine(folder, ResultsFile)))
            {
                throw new ConfigurationException($"--out {folder} already holds a fine-tune ({ResultsFile}); choose another --out.");
            }
            var openQuestions = openEnded ? OpenEndedQaFiles.Read(data, parse.GetValue(answers), folder) : null;
            if (openQuestions?.Data is { } videoLists)
            {
                data = videoLists;
            }
            var common = data.TrainSplit(configured).DropPath(settings.DropPath).Sets;
            var trainServices = build(a => reference.Under(a) with { Sets = [.. a.Sets, .. common] });
            var trainPlan = trainServices.GetRequiredService<RunPlan>();
            var schedule = settings.Schedule(trainPlan.DatasetInfo.Count, trainPlan.Optimizer.BaseBatch);
            IReadOnlyList<string> testSplit = qa && name != "synthetic" ? [] : data.TestSplit(configured).Sets;
            FinetuneReport report;
            if (retrieval)
            {
                var fineServices = build(a => reference.Under(a) with { Sets = [.. a.Sets, .. common, .. RetrievalFinetune.Overlays(settings, schedule, reference.ModelFile, folder)] });
                if (qa)
                {
                    // Files: --test-manifest is the MSRVTT-MC JSON, its videos read through a caption list beside the results.
                    var questions = name == "synthetic" ? null : QaJson.ReadMultipleChoice(parse.GetValue(testManifest) ?? throw new ConfigurationException($"--test-manifest (the multiple-choice QA JSON) is required for the '{name}' dataset."));
                    if (questions is not null)
                    {
                        Directory.CreateDirectory(folder);
                        string videoList = Path.Combine(folder, "qa-videos.json");
                        QaQuestionSet.WriteVideoList(videoList, questions.Select(q => q.Video));
                        testSplit = DatasetOverrides.FromManifest(configured, videoList, parse.GetValue(root), name).Sets;
                    }
                    var qaPlan = build(a => reference.Under(a) with { Sets = [.. a.Sets, .. testSplit] }).GetRequiredService<RunPlan>();
                    var qaOutcome = QaFinetune.Run(fineServices.GetRequiredService<RunPlan>(), fineServices.GetRequiredService<IConfiguration>(), qaPlan,
                        questions is null ? null : QaQuestionSet.Of(questions), CliJson.Human(parse.GetValue(json), output, error), progress, cancel);
                    report = new FinetuneReport("qa", reference.ModelFile, name, settings, null, null, qaOutcome);
                }
                else
                {
                    var testPlan = build(a => reference.Under(a) with { Sets = [.. a.Sets, .. testSplit] }).GetRequiredService<RunPlan>();
                    var outcome = RetrievalFinetune.Run(fineServices.GetRequiredService<RunPlan>(), fineServices.GetRequiredService<IConfiguration>(), testPlan, parse.GetValue(rerank), CliJson.Human(parse.GetValue(json), output, error), progress, cancel);
                    report = new FinetuneReport("retrieval", reference.ModelFile, name, settings, null, outcome);
                }
            }
            else if (openQuestions is { } open)
            {
                var trainQuestions = open.Train ?? QaData.SyntheticQuestions(trainPlan);
                var testPlan = build(a => reference.Under(a) with { Sets = [.. a.Sets, .. testSplit] }).GetRequiredService<RunPlan>();
                var testQuestions = open.Test ?? QaData.SyntheticQuestions(testPlan);
                Directory.CreateDirectory(folder);
                using var log = SerilogSetup.Create(trainServices.GetRequiredService<IConfiguration>(), folder, metricsOnConsole: true);
                var outcome = new OpenEndedQaFinetune(settings, log, progress).Run(trainPlan, testPlan, reference.ModelFile, trainQuestions, testQuestions, open.Answers,
                    !parse.GetValue(untrained), folder, cancel);
                report = new FinetuneReport("qa", reference.ModelFile, name, settings, null, null, OpenEndedQa: outcome);
            }
            else if (detection)
            {
                var testPlan = build(a => reference.Under(a) with { Sets = [.. a.Sets, .. testSplit] }).GetRequiredService<RunPlan>();
                Directory.CreateDirectory(folder);
                using var log = SerilogSetup.Create(trainServices.GetRequiredService<IConfiguration>(), folder, metricsOnConsole: true);
                var outcome = new DetectionFinetune(settings, log, progress).Run(trainPlan, testPlan, reference.ModelFile, PretrainedGrid.Of(reference), actions!, !parse.GetValue(untrained), folder, cancel);
                report = new FinetuneReport("detection", reference.ModelFile, name, settings, null, null, Detection: outcome);
            }
            else
            {
                var views = data.Views(settings.TestClips, settings.TestCrops)
                    .Select(view => build(a => reference.Under(a) with { Sets = [.. a.Sets, .. testSplit, .. view] }).GetRequiredService<RunPlan>())
                    .ToList();
                string labelSet = ClassificationFinetune.ResolveLabelSet(trainPlan.DatasetInfo, views[0].DatasetInfo, name, parse.GetValue(label));
                Directory.CreateDirectory(folder);
                using var log = SerilogSetup.Create(trainServices.GetRequiredService<IConfiguration>(), folder, metricsOnConsole: true);
                var outcome = new ClassificationFinetune(settings, log, progress).Run(trainPlan, views, reference.ModelFile, PretrainedGrid.Of(reference), labelSet, folder, cancel);
                report = new FinetuneReport("classification", reference.ModelFile, name, settings, outcome, null);
            }
            string results = Path.Combine(folder, ResultsFile);
            DurableFiles.ReplaceText(results, JsonSerializer.Serialize(report, new JsonSerializerOptions(CliJson.Options) { WriteIndented = true }));
            if (parse.GetValue(json))
            {
                CliJson.Write(output, report);
            }
            else
            {
                output.WriteLine(FinetuneSummary.Text(report, results));
            }
            return cancel.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Success;
        }));
        return finetune;
    }
}
