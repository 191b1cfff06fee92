using System.Collections.Concurrent;
using Serilog;
using Umt.Abstractions.Datasets;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Progress;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Evaluation.Qa;

/// <summary>
/// Open-ended video QA as the reference's tasks/vqa.py <c>evaluation</c>: every clip read in eval
/// mode with all tokens visible, its question's answer chosen from the answer list by
/// <see cref="VideoQaModel.Rank"/>, scored by exact match against the question's answers.
/// </summary>
public sealed class OpenEndedEvaluation(VideoQaModel model, ILogger log, ProgressRenderer progress)
{
    /// <summary>Clips per forward.</summary>
    private const int BatchSize = 16;

    /// <summary>The reference's <c>evaluation.k_test</c> in every QA config.</summary>
    public const int DefaultK = 128;

    public OpenEndedResult Run(RunPlan plan, QaQuestionSet questions, IReadOnlyList<string> answerList, int k, CancellationToken cancel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var outcomes = new List<(QaItem Item, string QuestionId, string Predicted)>();
        var failures = new ConcurrentBag<(long, UnreadableMediaException)>();
        using (var answers = NewDisposeScope())
        using (var dataset = plan.CreateDataset(log))
        using (var counter = progress.Start("eval qa", dataset.Info.Count, "clips"))
        {
            var encoded = model.EncodeAnswers(answerList);                                           // [A, La]
            foreach (var batch in EvaluationReader.Batches(dataset, BatchSize, plan.Run.DataWorkers, failures, counter, cancel))
            {
                using var batchScope = NewDisposeScope();
                var items = batch.Samples.Select((sample, row) => questions.Of(batch.Indices[row], sample)).ToList();
                var (best, _) = model.Rank(batch.Video(plan), [.. items.Select(i => i.Question!)], encoded, k); // [b, k]
                long[] picked = best.select(1, 0).cpu().data<long>().ToArray();                         // [b]
                outcomes.AddRange(items.Select((item, row) => (item, item.Id, answerList[(int)picked[row]])));
            }
        }
        if (outcomes.Count == 0)
        {
            throw new InvalidOperationException($"No readable question video in {plan.Dataset.OptionsPath}.");
        }
        if (!failures.IsEmpty)
        {
            log.Warning("qa: {Count} unreadable videos of {Dataset} skipped", failures.Count, plan.Dataset.OptionsPath);
        }
        double chance = 1.0 / answerList.Count;
        QaAccuracy Score(IReadOnlyCollection<(QaItem Item, string QuestionId, string Predicted)> group) =>
            new(group.Count, group.Average(o => o.Item.Answers.Contains(o.Predicted, StringComparer.Ordinal) ? 1.0 : 0.0), chance);
        var overall = Score(outcomes);
        var result = new OpenEndedResult(overall, Math.Round(100 * overall.Accuracy, 2), answerList.Count, Math.Min(k, answerList.Count),
            outcomes.Where(o => o.Item.Kind is not null).GroupBy(o => o.Item.Kind!).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => Score([.. g])),
            failures.Count, [.. outcomes.Select(o => new OpenEndedPrediction(o.QuestionId, o.Predicted))]);
        log.Information("qa (open-ended): acc {Acc} over {Questions} questions, {Answers} answers (chance {Chance:F3})", result.Acc, overall.Questions, answerList.Count, chance);
        return result;
    }
}
