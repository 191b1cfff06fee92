using System.Collections.Concurrent;
using Serilog;
using Umt.Abstractions.Datasets;
using Umt.Models.VisionLanguage;
using Umt.Runner.Engine.Composition;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Evaluation.Retrieval;

/// <summary>Text→video and video→text scores of one ranking.</summary>
public sealed record RetrievalDirections(RetrievalScores TextToVideo, RetrievalScores VideoToText);

/// <summary>
/// <c>umt eval retrieval</c>'s result: the contrastive ranking and, when the checkpoint has a
/// matching head and <see cref="RerankK"/> &gt; 0, the ranking after the head re-scored each
/// query's top-k candidates. The reference reports only the re-ranked numbers and its users
/// mistook them for the contrastive ones (umt-method.md §3.4), so both are kept and labelled.
/// </summary>
public sealed record RetrievalResult(int Clips, int DistinctCaptions, RetrievalDirections Contrastive, RetrievalDirections? Reranked, int RerankK, int Unreadable);

/// <summary>
/// Zero-shot (or fine-tuned) retrieval on a held-out set, as the reference's
/// tasks/retrieval_utils.py <c>evaluation</c>: every clip's per-frame embeddings (all tokens
/// visible, <c>keep_temporal</c>) against every caption's, similarity = mean over frames of the
/// cosine; clips whose captions are equal count as positives of each other; then optional
/// re-ranking of each query's top-k candidates by <c>itm_head</c>.
/// </summary>
public sealed class RetrievalEvaluation(FrozenVisionLanguage model, ILogger log)
{
    /// <summary>Pairs scored by the matching head per forward (bounds the fusion's activations).</summary>
    private const int MatchBatch = 64;

    public RetrievalResult Run(RunPlan plan, int rerankK, CancellationToken cancel)
    {
        using var scope = NewDisposeScope();
        var (videoEmbeddings, videoTokens, captions, unreadable) = ReadVideos(plan, cancel);
        int n = captions.Count;
        var (textEmbeddings, textHidden, text) = model.EncodeText(captions);
        var positives = EqualCaptions(captions);
        // Temperature 1: a ranking only needs the order of the cosines.
        using var one = tensor(1f);
        var similarity = VisionLanguageHeads.Similarity(videoEmbeddings, textEmbeddings, one).t().cpu(); // [n_text, n_video]
        var textToVideo = ToArray(similarity);
        var contrastive = Directions(textToVideo, positives);
        log.Information("retrieval (contrastive): text→video R@1 {R1:F3} (chance {Chance:F3}), video→text R@1 {V2T:F3}, {Clips} clips, {Captions} distinct captions",
            contrastive.TextToVideo.R1, contrastive.TextToVideo.ChanceR1, contrastive.VideoToText.R1, n, positives.Distinct);

        RetrievalDirections? reranked = null;
        if (rerankK > 0 && model.CanMatch)
        {
            var t2v = RetrievalMetrics.Rerank(textToVideo, rerankK, (t, videos) => Match(textHidden, text.AttentionMask, videoTokens, [.. videos.Select(_ => t)], videos));
            var v2t = RetrievalMetrics.Rerank(RetrievalMetrics.Transpose(textToVideo), rerankK, (v, texts) => Match(textHidden, text.AttentionMask, videoTokens, texts, [.. texts.Select(_ => v)]));
            reranked = new RetrievalDirections(RetrievalMetrics.Score(t2v, positives.Matrix), RetrievalMetrics.Score(v2t, RetrievalMetrics.Transpose(positives.Matrix)));
            log.Information("retrieval (re-ranked top {K} by itm_head): text→video R@1 {R1:F3}, video→text R@1 {V2T:F3}", rerankK, reranked.TextToVideo.R1, reranked.VideoToText.R1);
        }
        else if (rerankK > 0)
        {
            log.Warning("retrieval: the checkpoint has no itm_head (its run did not train vtm); only the contrastive ranking is reported");
        }
        return new RetrievalResult(n, positives.Distinct, contrastive, reranked, reranked is null ? 0 : rerankK, unreadable);
    }

    private (Tensor PerFrame, Tensor Tokens, List<string> Captions, int Unreadable) ReadVideos(RunPlan plan, CancellationToken cancel)
    {
        using var dataset = plan.CreateDataset(log);
        if (!dataset.Info.HasCaptions)
        {
            throw new ArgumentException($"The dataset '{plan.Dataset.Entry.Name}' ({plan.Dataset.OptionsPath}) has no captions; retrieval needs them.");
        }
        var failures = new ConcurrentBag<(long, UnreadableMediaException)>();
        var perFrame = new List<Tensor>();
        var tokens = new List<Tensor>();
        var captions = new List<string>();
        foreach (var batch in EvaluationReader.Batches(dataset, batchSize: 32, plan.Run.DataWorkers, failures, cancel))
        {
            using var batchScope = NewDisposeScope(); // the forward's activations are freed per batch
            var (frames, all) = model.EncodeVision(batch.Video(plan));                 // [b, T, E], [b, N, D]
            perFrame.Add(frames.MoveToOuterDisposeScope());
            tokens.Add(all.MoveToOuterDisposeScope());
            captions.AddRange(batch.Samples.Select(s => s.Caption ?? ""));
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

    private static RetrievalDirections Directions(float[,] textToVideo, CaptionPositives positives) =>
        new(RetrievalMetrics.Score(textToVideo, positives.Matrix),
            RetrievalMetrics.Score(RetrievalMetrics.Transpose(textToVideo), RetrievalMetrics.Transpose(positives.Matrix)));

    private static float[,] ToArray(Tensor matrix)
    {
        int rows = (int)matrix.shape[0], columns = (int)matrix.shape[1];
        var values = matrix.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        var result = new float[rows, columns];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(float));
        return result;
    }

    /// <summary>Caption i and clip j are a positive pair when their captions are equal (square, symmetric).</summary>
    private sealed record CaptionPositives(bool[,] Matrix, int Distinct);

    private static CaptionPositives EqualCaptions(IReadOnlyList<string> captions)
    {
        int n = captions.Count;
        var matrix = new bool[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                matrix[i, j] = string.Equals(captions[i], captions[j], StringComparison.Ordinal);
            }
        }
        return new CaptionPositives(matrix, captions.Distinct(StringComparer.Ordinal).Count());
    }
}
