namespace Umt.Runner.Workflows.Evaluation.Retrieval;

/// <summary>
/// Retrieval quality of one direction (e.g. text→video). Recalls are fractions in [0, 1], not
/// percent as the reference prints them, so they compose with the other evaluation records;
/// ranks are 1-based, so a perfect retriever has <see cref="MedianRank"/> 1 as in the papers.
/// <see cref="ChanceR1"/> is the R@1 a uniformly random ranking would reach on the same positives
/// (mean over queries of positives / candidates): with duplicate captions it is above 1/N, and a
/// report needs it to tell a model that learned nothing from one that learned a little.
/// </summary>
public sealed record RetrievalScores(double R1, double R5, double R10, double MedianRank, double MeanRank, double ChanceR1);

/// <summary>
/// Recall@K and rank statistics of a query × candidate score matrix, and the re-ranking of each
/// query's top candidates by a finer scorer. This mirrors <c>itm_eval</c> in OpenGVLab/unmasked_teacher
/// (multi_modality/tasks/retrieval_utils.py): a query's rank is the best position, among the candidates
/// sorted by descending score, of any of its ground-truth candidates. Here ranks are 1-based and the
/// order is fully determined: equal scores are broken by ascending candidate index (numpy's
/// <c>argsort(...)[::-1]</c> leaves ties to the sort's implementation, so its numbers can move between
/// runs or machines on tied scores; ours cannot), and NaN sorts below every number, −∞ included,
/// because a diverged model that produces NaN must never be credited with a hit.
/// Pure managed code so that the metric can be checked by hand, independently of the tensors that
/// produced the scores.
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>
    /// Scores queries (rows) against candidates (columns); higher is better. <paramref name="positives"/>
    /// marks each query's ground-truth candidates, of which every query needs at least one: a query
    /// without any has no defined rank, and silently skipping it would inflate the recalls.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ, there are no queries, or a query has no positive.</exception>
    public static RetrievalScores Score(float[,] scores, bool[,] positives)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(positives);
        int queries = scores.GetLength(0), candidates = scores.GetLength(1);
        if (positives.GetLength(0) != queries || positives.GetLength(1) != candidates)
        {
            throw new ArgumentException(
                $"positives are [{positives.GetLength(0)}, {positives.GetLength(1)}] but scores are [{queries}, {candidates}].", nameof(positives));
        }
        if (queries == 0)
        {
            throw new ArgumentException("There are no queries to score.", nameof(scores));
        }

        var ranks = new int[queries];
        double chance = 0;
        for (int q = 0; q < queries; q++)
        {
            // The best-placed positive is the one every other positive comes after; the query's rank
            // is 1 + the number of candidates (positive or not) placed before it.
            int best = -1, count = 0;
            for (int c = 0; c < candidates; c++)
            {
                if (!positives[q, c]) continue;
                count++;
                if (best < 0 || Before(scores[q, c], c, scores[q, best], best)) best = c;
            }
            if (best < 0)
            {
                throw new ArgumentException($"Query row {q} has no positive candidate, so it has no rank.", nameof(positives));
            }
            int rank = 1;
            for (int c = 0; c < candidates; c++)
            {
                if (Before(scores[q, c], c, scores[q, best], best)) rank++;
            }
            ranks[q] = rank;
            chance += (double)count / candidates;
        }

        Array.Sort(ranks);
        double median = queries % 2 == 1 ? ranks[queries / 2] : (ranks[queries / 2 - 1] + ranks[queries / 2]) / 2.0;
        return new RetrievalScores(
            R1: Recall(ranks, 1), R5: Recall(ranks, 5), R10: Recall(ranks, 10),
            MedianRank: median, MeanRank: ranks.Average(), ChanceR1: chance / queries);
    }

    /// <summary>
    /// The transpose of a matrix. The caller scores text→video with texts as rows; video→text is the
    /// same similarities (and positives) with videos as rows, as <c>itm_eval</c> uses <c>scores_i2t</c>
    /// and <c>scores_t2i</c> of one similarity matrix.
    /// </summary>
    public static T[,] Transpose<T>(T[,] m)
    {
        ArgumentNullException.ThrowIfNull(m);
        int rows = m.GetLength(0), columns = m.GetLength(1);
        var t = new T[columns, rows];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++) t[c, r] = m[r, c];
        }
        return t;
    }

    /// <summary>
    /// Re-ranks each query's top <paramref name="k"/> candidates by a finer scorer, as the reference does
    /// with its matching head on the top <c>k_test</c> candidates of the contrastive similarity (the full
    /// matching head on every pair would cost queries × candidates forward passes).
    /// <para>
    /// For each row the candidates are ordered by <paramref name="coarse"/> with <see cref="Score"/>'s rule
    /// (descending, ties by ascending index, NaN last); <paramref name="fine"/> is called once with the row
    /// and a fresh array of the first min(k, N) candidate indices in that order, and must return one fine
    /// score per candidate, aligned with that array. Those candidates hold their fine scores in the result,
    /// so <see cref="Score"/> orders them by fine score (equal fine scores by index).
    /// </para>
    /// <para>
    /// Every other candidate, taken in coarse order, gets v₀ = m − 1, v₁ = v₀ − 1, … where m is the lowest
    /// non-NaN fine score of the row (0 when there is none); when a step of 1 is lost to float rounding
    /// (|v| ≳ 2²⁴) the next float below is used instead. The rest therefore stays strictly below every
    /// fine score and keeps its coarse order, where the reference fills the rest with −100 and so leaves
    /// their order to the tie-breaking of the sort. A NaN fine score is kept as NaN, which
    /// <see cref="Score"/> places last: a candidate the fine scorer could not score is not a hit.
    /// </para>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="fine"/> returned the wrong number of scores, or
    /// the fine scores are so low (−∞, or near <see cref="float.MinValue"/>) that the rest cannot be placed below them.</exception>
    public static float[,] Rerank(float[,] coarse, int k, Func<int, int[], float[]> fine)
    {
        ArgumentNullException.ThrowIfNull(coarse);
        ArgumentNullException.ThrowIfNull(fine);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        int queries = coarse.GetLength(0), candidates = coarse.GetLength(1);
        int top = Math.Min(k, candidates);
        var result = new float[queries, candidates];
        var order = new int[candidates];
        for (int q = 0; q < queries; q++)
        {
            for (int c = 0; c < candidates; c++) order[c] = c;
            Array.Sort(order, (a, b) => a == b ? 0 : Before(coarse[q, a], a, coarse[q, b], b) ? -1 : 1);

            var chosen = order[..top];
            var fineScores = fine(q, [.. chosen]);
            if (fineScores is null || fineScores.Length != top)
            {
                throw new ArgumentException(
                    $"The fine scorer returned {fineScores?.Length.ToString() ?? "null"} scores for query row {q}, expected {top}.", nameof(fine));
            }

            float floor = 0;
            bool any = false;
            for (int i = 0; i < top; i++)
            {
                result[q, chosen[i]] = fineScores[i];
                if (!float.IsNaN(fineScores[i]) && (!any || fineScores[i] < floor)) (floor, any) = (fineScores[i], true);
            }

            float value = floor;
            for (int i = top; i < candidates; i++)
            {
                float next = MathF.Min(value - 1, MathF.BitDecrement(value));
                if (!(next < value) || float.IsNegativeInfinity(next))
                {
                    throw new ArgumentException(
                        $"Fine scores of query row {q} go down to {floor}, leaving no room to rank the other candidates below them.", nameof(fine));
                }
                result[q, order[i]] = value = next;
            }
        }
        return result;
    }

    /// <summary>
    /// Whether candidate <paramref name="a"/> (score <paramref name="sa"/>) is placed before candidate
    /// <paramref name="b"/>: higher score first, NaN after every number, equal scores (and two NaNs) by index.
    /// </summary>
    private static bool Before(float sa, int a, float sb, int b)
    {
        bool nanA = float.IsNaN(sa), nanB = float.IsNaN(sb);
        if (nanA != nanB) return nanB;
        if (!nanA && sa != sb) return sa > sb;
        return a < b;
    }

    private static double Recall(int[] ranks, int k) => (double)ranks.Count(r => r <= k) / ranks.Length;
}
