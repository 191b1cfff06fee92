using System.Collections.Concurrent;
using Serilog;
using Umt.Abstractions.Datasets;
using Umt.Models.VisionLanguage;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Engine.Step;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Evaluation.Retrieval;

/// <summary>Text→video and video→text scores of one ranking.</summary>
public sealed record RetrievalDirections(RetrievalScores TextToVideo, RetrievalScores VideoToText)
{
    /// <summary>The same ranking in the reference's <c>itm_eval</c> terms (txt_r*, img_r*, r_mean).</summary>
    public ItmEvalScores ItmEval => ItmEvalScores.Of(TextToVideo, VideoToText);

    /// <summary>Both directions of one <c>[texts, clips]</c> similarity matrix; video→text ranks its transpose against the transposed positives, as <c>itm_eval</c> uses <c>img2txt</c>.</summary>
    /// <param name="positives"><c>[texts, clips]</c>, as <see cref="RetrievalQueries.Positives"/>.</param>
    public static RetrievalDirections Score(float[,] textToVideo, bool[,] positives) =>
        new(RetrievalMetrics.Score(textToVideo, positives),
            RetrievalMetrics.Score(RetrievalMetrics.Transpose(textToVideo), RetrievalMetrics.Transpose(positives)));
}

/// <summary>
/// <c>umt eval retrieval</c>'s result: the contrastive ranking and, when the checkpoint has a
/// matching head and <see cref="RerankK"/> &gt; 0, the ranking after the head re-scored each
/// query's top-k candidates. The reference reports only the re-ranked numbers and its users
/// mistook them for the contrastive ones (umt-method.md §3.4), so both are kept and labelled.
/// </summary>
/// <param name="Protocol">The <c>Umt:Retrieval:Protocol</c> that chose the queries and their ground truth.</param>
/// <param name="Texts">Text queries (rows of text→video): one per clip, or every caption under <c>multi-caption</c>.</param>
/// <param name="DistinctCaptions">Distinct query texts.</param>
public sealed record RetrievalResult(string Protocol, int Clips, int Texts, int DistinctCaptions, RetrievalDirections Contrastive, RetrievalDirections? Reranked, int RerankK, int Unreadable);

/// <summary>
/// Zero-shot (or fine-tuned) retrieval on a held-out set, as the reference's
/// tasks/retrieval_utils.py <c>evaluation</c>: every clip's per-frame embeddings (all tokens
/// visible, <c>keep_temporal</c>) against every query text's, similarity = mean over frames of the
/// cosine; the texts and their ground-truth clips are <c>Umt:Retrieval:Protocol</c>'s
/// (<see cref="RetrievalQueries"/>); then optional re-ranking of each query's top-k candidates by <c>itm_head</c>.
/// </summary>
public sealed class RetrievalEvaluation(FrozenVisionLanguage model, ILogger log, ProgressRenderer progress)
{
    /// <summary>Pairs scored by the matching head per forward (bounds the fusion's activations).</summary>
    private const int MatchBatch = 64;

    public RetrievalResult Run(RunPlan plan, int rerankK, CancellationToken cancel)
    {
        using var scope = NewDisposeScope();
        var (videoEmbeddings, videoTokens, clips, unreadable) = ReadVideos(plan, cancel);
        var queries = RetrievalQueries.Build(plan.Retrieval.Protocol, clips);
        var (textEmbeddings, textHidden, text) = model.EncodeText(queries.Texts);
        // Temperature 1: a ranking only needs the order of the cosines.
        using var one = tensor(1f);
        var similarity = VisionLanguageHeads.Similarity(videoEmbeddings, textEmbeddings, one).t().cpu(); // [n_text, n_video]
        var textToVideo = ToArray(similarity);
        var contrastive = RetrievalDirections.Score(textToVideo, queries.Positives);
        log.Information("retrieval (contrastive, {Protocol}): text→video R@1 {R1:F3} (chance {Chance:F3}), video→text R@1 {V2T:F3}, r_mean {RMean:F3}, {Clips} clips, {Texts} texts ({Distinct} distinct)",
            queries.Protocol, contrastive.TextToVideo.R1, contrastive.TextToVideo.ChanceR1, contrastive.VideoToText.R1, contrastive.ItmEval.RMean, clips.Count, queries.Texts.Count, queries.DistinctTexts);

        RetrievalDirections? reranked = null;
        if (rerankK > 0 && model.CanMatch)
        {
            var t2v = RetrievalMetrics.Rerank(textToVideo, rerankK, (t, videos) => Match(textHidden, text.AttentionMask, videoTokens, [.. videos.Select(_ => t)], videos));
            var v2t = RetrievalMetrics.Rerank(RetrievalMetrics.Transpose(textToVideo), rerankK, (v, texts) => Match(textHidden, text.AttentionMask, videoTokens, texts, [.. texts.Select(_ => v)]));
            reranked = new RetrievalDirections(RetrievalMetrics.Score(t2v, queries.Positives), RetrievalMetrics.Score(v2t, RetrievalMetrics.Transpose(queries.Positives)));
            log.Information("retrieval (re-ranked top {K} by itm_head): text→video R@1 {R1:F3}, video→text R@1 {V2T:F3}", rerankK, reranked.TextToVideo.R1, reranked.VideoToText.R1);
        }
        else if (rerankK > 0)
        {
            log.Warning("retrieval: the checkpoint has no itm_head (its run did not train vtm); only the contrastive ranking is reported");
        }
        return new RetrievalResult(queries.Protocol, clips.Count, queries.Texts.Count, queries.DistinctTexts, contrastive, reranked, reranked is null ? 0 : rerankK, unreadable);
    }

    private (Tensor PerFrame, Tensor Tokens, List<ClipCaptions> Captions, int Unreadable) ReadVideos(RunPlan plan, CancellationToken cancel)
    {
        using var dataset = plan.CreateDataset(log);
        if (!dataset.Info.HasCaptions)
        {
            throw new ArgumentException($"The dataset '{plan.Dataset.Entry.Name}' ({plan.Dataset.OptionsPath}) has no captions; retrieval needs them.");
        }
        var failures = new ConcurrentBag<(long, UnreadableMediaException)>();
        using var counter = progress.Start("eval retrieval", dataset.Info.Count, "clips");
        var perFrame = new List<Tensor>();
        var tokens = new List<Tensor>();
        var captions = new List<ClipCaptions>();
        foreach (var batch in EvaluationReader.Batches(dataset, batchSize: 32, plan.Run.DataWorkers, failures, counter, cancel))
        {
            using var batchScope = NewDisposeScope(); // the forward's activations are freed per batch
            var (frames, all) = model.EncodeVision(batch.Video(plan));                 // [b, T, E], [b, N, D]
            perFrame.Add(frames.MoveToOuterDisposeScope());
            tokens.Add(all.MoveToOuterDisposeScope());
            captions.AddRange(batch.Samples.Select(ClipCaptions.Of));
        }
        if (captions.Count == 0)
        {
            throw new InvalidOperationException($"No readable sample in {plan.Dataset.OptionsPath}.");
        }
        if (!failures.IsEmpty)
        {
            log.Warning("retrieval: {Count} unreadable samples of {Dataset} skipped", failures.Count, plan.Dataset.OptionsPath);
        }
        return (cat(perFrame, 0), cat(tokens, 0), captions, failures.Count);   // [n, T, E], [n, N, D]
    }

    /// <summary><c>itm_head</c>'s match logit of (text i, video j) pairs, in chunks.</summary>
    private float[] Match(Tensor textHidden, Tensor attentionMask, Tensor videoTokens, int[] texts, int[] videos)
    {
        var scores = new float[texts.Length];
        using var finalizers = NativeGarbage.HoldFinalizers();
        for (int start = 0; start < texts.Length; start += MatchBatch)
        {
            using var chunkScope = NewDisposeScope();
            int length = Math.Min(MatchBatch, texts.Length - start);
            Tensor Rows(int[] rows) => tensor(rows.Skip(start).Take(length).Select(i => (long)i).ToArray(), device: textHidden.device); // [p]
            var t = Rows(texts);                                                        // [p] caption rows
            var v = Rows(videos);                                                       // [p] clip rows
            var logits = model.MatchScores(textHidden.index_select(0, t), attentionMask.index_select(0, t), videoTokens.index_select(0, v)); // [p]
            logits.cpu().data<float>().CopyTo(scores.AsSpan(start, length));
        }
        return scores;
    }

    private static float[,] ToArray(Tensor matrix)
    {
        int rows = (int)matrix.shape[0], columns = (int)matrix.shape[1];
        var values = matrix.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        var result = new float[rows, columns];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(float));
        return result;
    }
}
