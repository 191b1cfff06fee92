using System.Collections.Concurrent;
using Serilog;
using Umt.Abstractions.Datasets;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Progress;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Evaluation.Qa;

/// <summary>
/// Multiple-choice video QA as retrieval_mc.py (<c>main_with_ensemble</c>, the MSRVTT-MC test): every
/// clip read in eval mode with all tokens visible, each candidate text paired with its clip, scored
/// by <see cref="MultipleChoiceScores"/>, the best candidate the prediction; accuracy over the
/// questions whose clip was readable.
/// </summary>
public sealed class MultipleChoiceEvaluation(FrozenVisionLanguage model, ILogger log, ProgressRenderer progress)
{
    /// <summary>Clips encoded per forward.</summary>
    private const int BatchSize = 16;

    public MultipleChoiceResult Run(RunPlan plan, QaQuestionSet questions, CancellationToken cancel)
    {
        if (!model.CanMatch)
        {
            log.Warning("qa: the checkpoint has no itm_head (its run did not train vtm); candidates are scored by the contrastive similarity alone");
        }
        var outcomes = new List<(QaItem Item, int Combined, int Similarity, int? Match)>();
        var failures = new ConcurrentBag<(long, UnreadableMediaException)>();
        using (var dataset = plan.CreateDataset(log))
        using (var counter = progress.Start("eval qa", dataset.Info.Count, "clips"))
        {
            foreach (var batch in EvaluationReader.Batches(dataset, BatchSize, plan.Run.DataWorkers, failures, counter, cancel))
            {
                using var batchScope = NewDisposeScope();
                var (perFrame, tokens) = model.EncodeVision(batch.Video(plan));                        // [b, T, E], [b, N, D]
                for (int row = 0; row < batch.Samples.Count; row++)
                {
                    using var questionScope = NewDisposeScope();
                    var item = questions.Of(batch.Indices[row], batch.Samples[row]);
                    var (text, hidden, tokenized) = model.EncodeText(item.Candidates);                   // [k, E], [k, L, W]
                    var similarity = model.Similarity(perFrame.narrow(0, row, 1), text).select(0, 0);   // [k]
                    long k = item.Candidates.Count;
                    var match = model.CanMatch
                        ? model.MatchProbabilities(hidden, tokenized.AttentionMask, tokens.narrow(0, row, 1).expand(k, -1, -1)) // [k]
                        : null;
                    outcomes.Add((item, MultipleChoiceScores.Best(MultipleChoiceScores.Combine(match, similarity)),
                        MultipleChoiceScores.Best(similarity), match is null ? null : MultipleChoiceScores.Best(match)));
                }
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
        static QaAccuracy Score(IReadOnlyCollection<(QaItem Item, int Combined, int Similarity, int? Match)> group) =>
            new(group.Count, group.Average(o => o.Combined == o.Item.Answer ? 1.0 : 0.0), group.Average(o => 1.0 / o.Item.Candidates.Count));
        var overall = Score(outcomes);
        var result = new MultipleChoiceResult(overall, Math.Round(100 * overall.Accuracy, 2),
            outcomes.Average(o => o.Similarity == o.Item.Answer ? 1.0 : 0.0),
            model.CanMatch ? outcomes.Average(o => o.Match == o.Item.Answer ? 1.0 : 0.0) : null,
            outcomes.Where(o => o.Item.Kind is not null).GroupBy(o => o.Item.Kind!).OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => Score([.. g])),
            failures.Count);
        log.Information("qa (multiple-choice): acc {Acc} over {Questions} questions (chance {Chance:F3}); contrastive alone {Similarity:F3}, itm alone {Match}",
            result.Acc, overall.Questions, overall.Chance, result.SimilarityOnly, result.MatchOnly);
        return result;
    }
}
