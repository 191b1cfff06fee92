using Umt.Runner.Workflows.Evaluation.Retrieval;

namespace Umt.Tests.Evaluation;

/// <summary>
/// Recall@K, ranks and re-ranking on matrices small enough to work out by hand, and on random
/// matrices against an independent brute-force ranking (LINQ's stable sort, not the metric's code).
/// </summary>
public sealed class RetrievalMetricsTests
{
    private const double Tolerance = 1e-12;

    /// <summary>A boolean matrix with <c>true</c> at the given (row, column) cells.</summary>
    private static bool[,] Positives(int rows, int columns, params (int Row, int Column)[] cells)
    {
        var m = new bool[rows, columns];
        foreach (var (r, c) in cells) m[r, c] = true;
        return m;
    }

    private static float[] Row(float[,] m, int r) => [.. Enumerable.Range(0, m.GetLength(1)).Select(c => m[r, c])];

    /// <summary>
    /// Candidate indices of one row in ranked order, by an implementation independent of the metric:
    /// LINQ's stable sort, descending by score (float comparison puts NaN below every number), then by index.
    /// </summary>
    private static int[] BruteForceOrder(float[] row) =>
        [.. Enumerable.Range(0, row.Length).OrderByDescending(c => row[c]).ThenBy(c => c)];

    [Fact]
    public void One_positive_per_query_gives_the_hand_computed_recalls_and_ranks()
    {
        // 4 queries × 12 candidates, query q's positive is candidate q.
        var scores = new float[,]
        {
            // q0: the positive (0.9) beats everything                                   -> rank 1
            { 0.9f, 0.1f, 0.2f, 0.3f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f },
            // q1: the positive (0.5) is beaten by candidates 5, 6, 7 (0.6, 0.7, 0.8)     -> rank 4
            { 0.1f, 0.5f, 0.1f, 0.1f, 0.1f, 0.6f, 0.7f, 0.8f, 0.1f, 0.1f, 0.1f, 0.1f },
            // q2: the positive (0.0) is beaten by candidates 0, 1, 3, 4, 5, 6 (0.5)      -> rank 7
            { 0.5f, 0.5f, 0.0f, 0.5f, 0.5f, 0.5f, 0.5f, -0.5f, -0.5f, -0.5f, -0.5f, -0.5f },
            // q3: the positive (-1) is beaten by all 11 others (0)                      -> rank 12
            { 0f, 0f, 0f, -1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f },
        };
        var positives = Positives(4, 12, (0, 0), (1, 1), (2, 2), (3, 3));

        var result = RetrievalMetrics.Score(scores, positives);

        // Ranks {1, 4, 7, 12}: R@1 = 1/4, R@5 = 2/4, R@10 = 3/4, median = (4 + 7) / 2, mean = 24 / 4.
        result.R1.Should().BeApproximately(0.25, Tolerance);
        result.R5.Should().BeApproximately(0.50, Tolerance);
        result.R10.Should().BeApproximately(0.75, Tolerance);
        result.MedianRank.Should().Be(5.5);
        result.MeanRank.Should().BeApproximately(6.0, Tolerance);
        result.ChanceR1.Should().BeApproximately(1.0 / 12, Tolerance, "one positive among twelve candidates");
    }

    [Fact]
    public void An_odd_number_of_queries_takes_the_middle_rank_as_median()
    {
        // Ranks 3, 1, 2 (positive at 0, beaten by 2; on top; beaten by 1) -> sorted {1, 2, 3}, median 2, mean 2.
        var scores = new float[,]
        {
            { 0.1f, 0.2f, 0.3f },
            { 0.1f, 0.9f, 0.3f },
            { 0.5f, 0.1f, 0.4f },
        };
        var result = RetrievalMetrics.Score(scores, Positives(3, 3, (0, 0), (1, 1), (2, 2)));

        result.MedianRank.Should().Be(2);
        result.MeanRank.Should().BeApproximately(2, Tolerance);
        result.R1.Should().BeApproximately(1.0 / 3, Tolerance);
    }

    [Fact]
    public void With_several_positives_the_rank_is_the_best_positives_and_chance_is_the_mean_share_of_positives()
    {
        var scores = new float[,]
        {
            // q0: positives 1 (0.1, 4th) and 3 (0.8, 2nd)      -> rank 2
            { 0.9f, 0.1f, 0.5f, 0.8f },
            // q1: positive 2 only (0.6, after 0.7)              -> rank 2
            { 0.2f, 0.7f, 0.6f, 0.1f },
            // q2: positives 0, 1, 3 (0.3, 0.2, 0.1), beaten by 2 -> rank 2
            { 0.3f, 0.2f, 0.4f, 0.1f },
            // q3: positives 0 and 2, 0 is on top                -> rank 1
            { 0.9f, 0.5f, 0.1f, 0.0f },
        };
        var positives = Positives(4, 4, (0, 1), (0, 3), (1, 2), (2, 0), (2, 1), (2, 3), (3, 0), (3, 2));

        var result = RetrievalMetrics.Score(scores, positives);

        // Ranks {2, 2, 2, 1}: R@1 = 1/4, median = 2, mean = 7/4.
        result.R1.Should().BeApproximately(0.25, Tolerance);
        result.R5.Should().Be(1.0);
        result.MedianRank.Should().Be(2);
        result.MeanRank.Should().BeApproximately(1.75, Tolerance);
        // Chance: (2/4 + 1/4 + 3/4 + 2/4) / 4 = 2/4 = 0.5.
        result.ChanceR1.Should().BeApproximately(0.5, Tolerance);
    }

    /// <summary>The rank of one query, scored alone: its mean rank is its rank.</summary>
    private static double RankOf(float[] row, int positive)
    {
        var scores = new float[1, row.Length];
        for (int c = 0; c < row.Length; c++) scores[0, c] = row[c];
        return RetrievalMetrics.Score(scores, Positives(1, row.Length, (0, positive))).MeanRank;
    }

    [Fact]
    public void Ties_are_broken_by_ascending_candidate_index()
    {
        // Each case is asymmetric: breaking ties by descending index would give a different rank.
        RankOf([0.5f, 0.5f, 0.5f, 0.5f], positive: 1).Should().Be(2, "all tied: only candidate 0 comes first");
        RankOf([0.1f, 0.7f, 0.7f, 0.2f], positive: 1).Should().Be(1, "tied with 2, and the lower index");
        RankOf([0.1f, 0.7f, 0.7f, 0.2f], positive: 2).Should().Be(2, "tied with 1, which has the lower index");
        RankOf([0.0f, -0.0f, 0.0f, 0.0f], positive: 1).Should().Be(2, "-0 == +0 is a tie too: only 0 comes first");
        RankOf([0.9f, 0.5f, 0.5f, 0.5f, 0.1f], positive: 2).Should().Be(3, "0 scores higher, 1 ties with a lower index");
    }

    [Fact]
    public void Nan_scores_rank_below_every_number_so_they_are_never_hits()
    {
        RankOf([float.NaN, 0.1f, float.NegativeInfinity, 0.3f], positive: 0).Should().Be(4, "NaN goes after -inf too");
        RankOf([float.NaN, float.NaN, -5f, float.NaN], positive: 2).Should().Be(1, "the only number beats every NaN");
        RankOf([0.2f, float.NaN, 0.1f], positive: 2).Should().Be(2, "a NaN competitor does not beat a number");
        RankOf([float.NaN, float.NaN, float.NaN, float.NaN], positive: 2).Should().Be(3, "all NaN: a tie, broken by index");
    }

    [Fact]
    public void A_query_without_positives_is_rejected_with_its_row()
    {
        var scores = new float[,] { { 1f, 0f }, { 0f, 1f }, { 1f, 1f } };

        var act = () => RetrievalMetrics.Score(scores, Positives(3, 2, (0, 0), (2, 1)));

        act.Should().Throw<ArgumentException>().WithMessage("*row 1*");
    }

    [Fact]
    public void Mismatched_shapes_and_empty_matrices_are_rejected()
    {
        var scores = new float[2, 3];

        ((Action)(() => RetrievalMetrics.Score(scores, new bool[3, 2]))).Should().Throw<ArgumentException>();
        ((Action)(() => RetrievalMetrics.Score(scores, new bool[2, 4]))).Should().Throw<ArgumentException>();
        ((Action)(() => RetrievalMetrics.Score(new float[0, 3], new bool[0, 3]))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Transpose_swaps_rows_and_columns()
    {
        var m = new float[,] { { 1, 2, 3 }, { 4, 5, 6 } };
        var b = new bool[,] { { true, false, false }, { false, false, true } };

        RetrievalMetrics.Transpose(m).Should().BeEquivalentTo(new float[,] { { 1, 4 }, { 2, 5 }, { 3, 6 } });
        RetrievalMetrics.Transpose(b).Should().BeEquivalentTo(new bool[,] { { true, false }, { false, false }, { false, true } });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_matrices_match_a_brute_force_ranking_in_both_directions(int seed)
    {
        var random = new Random(seed);
        const int Texts = 20, Videos = 30;
        // Few distinct values so that ties are common, and some NaN.
        float[] values = [-1f, 0f, 0.25f, 0.5f, 1f, float.NaN, float.NegativeInfinity];
        var scores = new float[Texts, Videos];
        var positives = new bool[Texts, Videos];
        for (int t = 0; t < Texts; t++)
        {
            for (int v = 0; v < Videos; v++)
            {
                scores[t, v] = values[random.Next(values.Length)];
                positives[t, v] = random.NextDouble() < 0.1;
            }
        }
        // Every text and every video needs a positive for both directions to be defined.
        for (int t = 0; t < Texts; t++) positives[t, t] = true;
        for (int v = Texts; v < Videos; v++) positives[random.Next(Texts), v] = true;

        ExpectBruteForce(scores, positives);
        ExpectBruteForce(RetrievalMetrics.Transpose(scores), RetrievalMetrics.Transpose(positives));
    }

    private static void ExpectBruteForce(float[,] scores, bool[,] positives)
    {
        int queries = scores.GetLength(0), candidates = scores.GetLength(1);
        var ranks = new List<int>();
        double chance = 0;
        for (int q = 0; q < queries; q++)
        {
            var order = BruteForceOrder(Row(scores, q));
            ranks.Add(1 + Array.FindIndex(order, c => positives[q, c]));
            chance += Enumerable.Range(0, candidates).Count(c => positives[q, c]) / (double)candidates;
        }
        var sorted = ranks.Order().ToArray();
        double median = queries % 2 == 1 ? sorted[queries / 2] : (sorted[queries / 2 - 1] + sorted[queries / 2]) / 2.0;

        var result = RetrievalMetrics.Score(scores, positives);

        result.R1.Should().BeApproximately(ranks.Count(r => r <= 1) / (double)queries, Tolerance);
        result.R5.Should().BeApproximately(ranks.Count(r => r <= 5) / (double)queries, Tolerance);
        result.R10.Should().BeApproximately(ranks.Count(r => r <= 10) / (double)queries, Tolerance);
        result.MedianRank.Should().Be(median);
        result.MeanRank.Should().BeApproximately(ranks.Average(), Tolerance);
        result.ChanceR1.Should().BeApproximately(chance / queries, Tolerance);
        result.R1.Should().BeLessThan(1.0, "the random case must not be trivially perfect");
    }

    [Fact]
    public void Rerank_puts_the_fine_scores_on_the_top_k_and_the_rest_below_in_coarse_order()
    {
        // Coarse order: 1 (0.9), 3 (0.7), 2 (0.5), 5 (0.5, tie after 2), 4 (0.3), 0 (0.1). Top 3: [1, 3, 2].
        var coarse = new float[,] { { 0.1f, 0.9f, 0.5f, 0.7f, 0.3f, 0.5f } };
        var calls = new List<(int Query, int[] Candidates)>();

        var reranked = RetrievalMetrics.Rerank(coarse, 3, (q, candidates) =>
        {
            calls.Add((q, candidates));
            return [-2f, 5f, 3f];   // fine scores of 1, 3, 2
        });

        calls.Should().ContainSingle();
        calls[0].Query.Should().Be(0);
        calls[0].Candidates.Should().Equal(1, 3, 2);
        // Lowest fine score -2; the rest in coarse order 5, 4, 0 get -3, -4, -5.
        reranked.Should().BeEquivalentTo(new float[,] { { -5f, -2f, 3f, 5f, -4f, -3f } });
    }

    [Fact]
    public void Rerank_keeps_each_rows_top_k_set_orders_it_by_fine_score_and_keeps_the_rest_in_coarse_order()
    {
        var random = new Random(7);
        const int Queries = 20, Candidates = 30, K = 5;
        var coarse = new float[Queries, Candidates];
        for (int q = 0; q < Queries; q++)
        {
            for (int c = 0; c < Candidates; c++) coarse[q, c] = random.Next(8) / 4f;   // ties are common
        }
        var fineOf = new Dictionary<(int, int), float>();
        var seen = new Dictionary<int, int[]>();

        var reranked = RetrievalMetrics.Rerank(coarse, K, (q, candidates) =>
        {
            seen.Add(q, [.. candidates]);
            // Fine scores on another scale, with ties, so the rest must adapt to them.
            return [.. candidates.Select(c => fineOf[(q, c)] = random.Next(-3, 3) * 10f)];
        });

        seen.Keys.Should().BeEquivalentTo(Enumerable.Range(0, Queries), "the fine scorer is called once per query");
        for (int q = 0; q < Queries; q++)
        {
            var coarseOrder = BruteForceOrder(Row(coarse, q));
            var newOrder = BruteForceOrder(Row(reranked, q));
            var topK = coarseOrder[..K];

            seen[q].Should().Equal(topK, "the fine scorer gets exactly the coarse top k, in coarse order");
            newOrder[..K].Should().BeEquivalentTo(topK, "re-ranking changes the order within the top k, not its members");
            newOrder[..K].Should().Equal(topK.OrderByDescending(c => fineOf[(q, c)]).ThenBy(c => c),
                "the top k follow their fine scores, ties by index");
            newOrder[K..].Should().Equal(coarseOrder[K..], "the rest keep their coarse order");
            float lowestFine = topK.Min(c => reranked[q, c]);
            newOrder[K..].Should().OnlyContain(c => reranked[q, c] < lowestFine, "the rest rank below every re-ranked candidate");
        }
    }

    [Fact]
    public void Rerank_with_k_at_least_the_candidate_count_reorders_everything_by_fine_score()
    {
        var coarse = new float[,] { { 0.3f, 0.1f, 0.2f }, { 0.0f, 0.0f, 0.0f } };
        float[][] fine = [[1f, 3f, 2f], [7f, 9f, 8f]];   // per query, aligned with the coarse order
        var seen = new List<int[]>();

        var reranked = RetrievalMetrics.Rerank(coarse, 10, (q, candidates) => { seen.Add(candidates); return fine[q]; });

        // Query 0: coarse order [0, 2, 1] gets 1, 3, 2. Query 1: all tied, coarse order [0, 1, 2] gets 7, 9, 8.
        seen.Should().HaveCount(2);
        seen[0].Should().Equal(0, 2, 1);
        seen[1].Should().Equal(0, 1, 2);
        reranked.Should().BeEquivalentTo(new float[,] { { 1f, 2f, 3f }, { 7f, 9f, 8f } });
        BruteForceOrder(Row(reranked, 0)).Should().Equal(2, 1, 0);
        BruteForceOrder(Row(reranked, 1)).Should().Equal(1, 2, 0);
    }

    [Fact]
    public void Rerank_places_the_rest_below_fine_scores_too_large_for_a_step_of_one()
    {
        // 1e9 - 1 rounds back to 1e9 in float: the rest must still be strictly below and strictly ordered.
        var coarse = new float[,] { { 0.9f, 0.8f, 0.7f, 0.6f } };

        var reranked = RetrievalMetrics.Rerank(coarse, 1, (_, _) => [1e9f]);

        reranked[0, 0].Should().Be(1e9f);
        reranked[0, 1].Should().BeLessThan(reranked[0, 0]);
        reranked[0, 2].Should().BeLessThan(reranked[0, 1]);
        reranked[0, 3].Should().BeLessThan(reranked[0, 2]);
    }

    [Fact]
    public void Rerank_keeps_a_nan_fine_score_so_that_candidate_is_scored_last()
    {
        // Coarse top 2: [0, 1]; the fine scorer fails on 0. The rest (2, 3) go below the lowest number, 4.
        var coarse = new float[,] { { 0.9f, 0.8f, 0.7f, 0.6f } };

        var reranked = RetrievalMetrics.Rerank(coarse, 2, (_, _) => [float.NaN, 4f]);

        float.IsNaN(reranked[0, 0]).Should().BeTrue();
        reranked[0, 1].Should().Be(4f);
        reranked[0, 2].Should().Be(3f);
        reranked[0, 3].Should().Be(2f);
        RetrievalMetrics.Score(reranked, Positives(1, 4, (0, 0))).MeanRank.Should().Be(4);
    }

    [Fact]
    public void Rerank_rejects_k_below_one_a_wrong_number_of_fine_scores_and_no_room_below_them()
    {
        var coarse = new float[,] { { 0.9f, 0.8f, 0.7f } };

        ((Action)(() => RetrievalMetrics.Rerank(coarse, 0, (_, c) => new float[c.Length]))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => RetrievalMetrics.Rerank(coarse, 2, (_, _) => [1f]))).Should().Throw<ArgumentException>().WithMessage("*row 0*");
        ((Action)(() => RetrievalMetrics.Rerank(coarse, 1, (_, _) => [float.NegativeInfinity]))).Should().Throw<ArgumentException>();
    }
}
