using Umt.Runner.Engine.Configuration;
using Umt.Runner.Workflows.Evaluation.Retrieval;
using Xunit.Abstractions;

namespace Umt.Tests.Evaluation;

/// <summary>
/// <c>Umt:Retrieval:Protocol</c>: the queries and ground truth each protocol builds, and the scores of
/// several captions per clip against a float64 brute force written as the reference's <c>itm_eval</c>
/// (argsort of the doubles, reversed; a query's rank is the best 0-based position of any of its
/// ground-truth candidates; R@K counts ranks below K).
/// </summary>
public sealed class RetrievalProtocolTests(ITestOutputHelper log)
{
    private const double Tolerance = 1e-12;

    /// <summary>R@1, R@5, R@10 of a direction as itm_eval computes them (fractions, not percent).</summary>
    private sealed record Recalls(double R1, double R5, double R10, double MeanRank)
    {
        public double Mean => (R1 + R5 + R10) / 3;
    }

    /// <summary>
    /// itm_eval's loop in float64: for each query row, <c>inds = argsort(score)[::-1]</c> and the rank is
    /// min over its ground-truth ids of <c>where(inds == id)</c>. <paramref name="truth"/> is the id list
    /// of each row (<c>img2txt</c> or <c>txt2img</c>).
    /// </summary>
    private static Recalls ItmEvalDirection(double[][] rows, int[][] truth)
    {
        var ranks = new double[rows.Length];
        for (int q = 0; q < rows.Length; q++)
        {
            var keys = (double[])rows[q].Clone();
            var inds = Enumerable.Range(0, keys.Length).ToArray();
            Array.Sort(keys, inds);      // argsort, ascending
            Array.Reverse(inds);         // [::-1]
            ranks[q] = truth[q].Min(id => Array.IndexOf(inds, id));
        }
        double Share(int k) => ranks.Count(r => r < k) / (double)ranks.Length;
        return new Recalls(Share(1), Share(5), Share(10), ranks.Average() + 1);
    }

    /// <summary>Random clips with 1 to 4 captions each, every caption text distinct, and a [texts, clips] similarity without ties.</summary>
    private static (List<ClipCaptions> Clips, double[,] Similarity) RandomCase(int seed, int clipCount)
    {
        var random = new Random(seed);
        var clips = Enumerable.Range(0, clipCount)
            .Select(v => new ClipCaptions($"clip {v} caption 0", [.. Enumerable.Range(0, 1 + random.Next(4)).Select(i => $"clip {v} caption {i}")]))
            .ToList();
        int texts = clips.Sum(c => c.All.Count);
        var owner = clips.SelectMany((c, v) => c.All.Select(_ => v)).ToArray();
        var similarity = new double[texts, clipCount];
        for (int t = 0; t < texts; t++)
        {
            for (int v = 0; v < clipCount; v++)
            {
                // A caption leans towards its own clip, so recalls land between 0 and 1.
                similarity[t, v] = random.NextDouble() + (owner[t] == v ? 0.25 : 0);
            }
        }
        return (clips, similarity);
    }

    private static float[,] ToFloat(double[,] m)
    {
        var f = new float[m.GetLength(0), m.GetLength(1)];
        for (int r = 0; r < m.GetLength(0); r++)
        {
            for (int c = 0; c < m.GetLength(1); c++) f[r, c] = (float)m[r, c];
        }
        // Rounding to float must not create a tie the float64 ranking does not have.
        for (int r = 0; r < m.GetLength(0); r++)
        {
            Enumerable.Range(0, m.GetLength(1)).Select(c => f[r, c]).Distinct().Should().HaveCount(m.GetLength(1));
        }
        for (int c = 0; c < m.GetLength(1); c++)
        {
            Enumerable.Range(0, m.GetLength(0)).Select(r => f[r, c]).Distinct().Should().HaveCount(m.GetLength(0));
        }
        return f;
    }

    private static void ExpectScores(RetrievalScores actual, Recalls expected)
    {
        actual.R1.Should().BeApproximately(expected.R1, Tolerance);
        actual.R5.Should().BeApproximately(expected.R5, Tolerance);
        actual.R10.Should().BeApproximately(expected.R10, Tolerance);
        actual.MeanRank.Should().BeApproximately(expected.MeanRank, Tolerance);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Multi_caption_scores_match_itm_eval_in_float64(int seed)
    {
        const int ClipCount = 16;
        var (clips, similarity) = RandomCase(seed, ClipCount);
        int texts = similarity.GetLength(0);

        var queries = RetrievalQueries.Build(RetrievalProtocols.MultiCaption, clips);
        var result = RetrievalDirections.Score(ToFloat(similarity), queries.Positives);

        // build_data_multi_txt_gt, written out: text ids run clip by clip.
        var txt2img = new List<int[]>();
        var img2txt = new int[ClipCount][];
        for (int v = 0; v < ClipCount; v++)
        {
            img2txt[v] = [.. Enumerable.Range(txt2img.Count, clips[v].All.Count)];
            txt2img.AddRange(clips[v].All.Select(_ => new[] { v }));
        }
        queries.Texts.Should().Equal(clips.SelectMany(c => c.All));
        var scoresT2i = Enumerable.Range(0, texts).Select(t => Enumerable.Range(0, ClipCount).Select(v => similarity[t, v]).ToArray()).ToArray();
        var scoresI2t = Enumerable.Range(0, ClipCount).Select(v => Enumerable.Range(0, texts).Select(t => similarity[t, v]).ToArray()).ToArray();
        var img = ItmEvalDirection(scoresT2i, [.. txt2img]);
        var txt = ItmEvalDirection(scoresI2t, img2txt);

        ExpectScores(result.TextToVideo, img);
        ExpectScores(result.VideoToText, txt);
        var m = result.ItmEval;
        m.TxtR1.Should().BeApproximately(txt.R1, Tolerance);
        m.TxtR5.Should().BeApproximately(txt.R5, Tolerance);
        m.TxtR10.Should().BeApproximately(txt.R10, Tolerance);
        m.TxtRMean.Should().BeApproximately(txt.Mean, Tolerance);
        m.ImgR1.Should().BeApproximately(img.R1, Tolerance);
        m.ImgR5.Should().BeApproximately(img.R5, Tolerance);
        m.ImgR10.Should().BeApproximately(img.R10, Tolerance);
        m.ImgRMean.Should().BeApproximately(img.Mean, Tolerance);
        m.RMean.Should().BeApproximately((txt.Mean + img.Mean) / 2, Tolerance);
        result.TextToVideo.ChanceR1.Should().BeApproximately(1.0 / ClipCount, Tolerance, "each caption has one clip among the clips");
        log.WriteLine($"seed {seed}: {texts} texts for {ClipCount} clips; txt_r1 {txt.R1:F3} img_r1 {img.R1:F3} r_mean {m.RMean:F3}");
        new[] { txt.R1, img.R1 }.Should().OnlyContain(r => r > 0 && r < 1, "the random case must be neither hopeless nor perfect");
    }

    [Fact]
    public void A_clips_rank_is_its_best_caption_and_equal_captions_of_other_clips_are_not_answers()
    {
        // Clip 0 has captions t0, t1; clip 1 has t2, which reads as clip 0's t0.
        var clips = new List<ClipCaptions> { new("a dog", ["a dog", "a brown dog"]), new("a dog", ["a dog"]) };
        var similarity = new float[,]
        {
            { 0.1f, 0.9f },   // t0 (clip 0): clip 1 first                  -> rank 2
            { 0.8f, 0.2f },   // t1 (clip 0): clip 0 first                  -> rank 1
            { 0.7f, 0.3f },   // t2 (clip 1): clip 0 first                  -> rank 2, though t0 reads the same
        };

        var queries = RetrievalQueries.Build(RetrievalProtocols.MultiCaption, clips);
        var result = RetrievalDirections.Score(similarity, queries.Positives);

        queries.Texts.Should().Equal("a dog", "a brown dog", "a dog");
        queries.DistinctTexts.Should().Be(2);
        result.TextToVideo.R1.Should().BeApproximately(1.0 / 3, Tolerance, "only t1 finds its clip first");
        result.TextToVideo.MeanRank.Should().BeApproximately(5.0 / 3, Tolerance);
        // Clip 0 ranks t1 (0.8) after nothing: rank 1. Clip 1 ranks t0 (0.9) before its t2 (0.3): rank 2.
        result.VideoToText.R1.Should().BeApproximately(0.5, Tolerance);
        result.VideoToText.MeanRank.Should().BeApproximately(1.5, Tolerance);
        result.VideoToText.ChanceR1.Should().BeApproximately((2.0 / 3 + 1.0 / 3) / 2, Tolerance, "clip 0 has two of three texts, clip 1 one");
    }

    [Fact]
    public void Paragraph_joins_a_clips_captions_with_one_space_into_its_one_query()
    {
        var clips = new List<ClipCaptions>
        {
            new("a man opens the door", ["a man opens the door", "he walks in", "the door closes"]),
            new("a cat sleeps", ["a cat sleeps"]),
        };

        var queries = RetrievalQueries.Build(RetrievalProtocols.Paragraph, clips);

        queries.Protocol.Should().Be("paragraph");
        queries.Texts.Should().Equal("a man opens the door he walks in the door closes", "a cat sleeps");
        queries.Positives.Should().BeEquivalentTo(new[,] { { true, false }, { false, true } }, "each paragraph answers only its own clip");
    }

    [Fact]
    public void Equal_captions_keep_the_drawn_caption_per_clip_and_todays_numbers()
    {
        // The drawn captions [a, a, b]; the other captions of a clip play no part in this protocol.
        var clips = new List<ClipCaptions> { new("a", ["a", "x"]), new("a", ["a"]), new("b", ["b", "y"]) };
        var similarity = new float[,]
        {
            { 0.2f, 0.9f, 0.5f },   // text a: clip 1 (a) first                 -> rank 1
            { 0.3f, 0.1f, 0.6f },   // text a: clip 2 (b), then clip 0 (a)      -> rank 2
            { 0.8f, 0.7f, 0.4f },   // text b: clips 0, 1 first                 -> rank 3
        };

        var queries = RetrievalQueries.Build(RetrievalProtocols.EqualCaptions, clips);
        var result = RetrievalDirections.Score(similarity, queries.Positives);

        queries.Texts.Should().Equal("a", "a", "b");
        queries.Positives.Should().BeEquivalentTo(new[,] { { true, true, false }, { true, true, false }, { false, false, true } });
        queries.DistinctTexts.Should().Be(2);
        // Text→video ranks {1, 2, 3}.
        result.TextToVideo.R1.Should().BeApproximately(1.0 / 3, Tolerance);
        result.TextToVideo.MedianRank.Should().Be(2);
        result.TextToVideo.ChanceR1.Should().BeApproximately((2.0 / 3 + 2.0 / 3 + 1.0 / 3) / 3, Tolerance);
        // Video→text (columns): clip 0 [0.2, 0.3, 0.8] finds text 1 (a) second; clip 1 [0.9, 0.1, 0.7] text 0 first;
        // clip 2 [0.5, 0.6, 0.4] its text 2 (b) third.
        result.VideoToText.R1.Should().BeApproximately(1.0 / 3, Tolerance);
        result.VideoToText.MeanRank.Should().BeApproximately(2.0, Tolerance);
        result.ItmEval.RMean.Should().BeApproximately(((1.0 / 3 + 1 + 1) / 3 + (1.0 / 3 + 1 + 1) / 3) / 2, Tolerance, "every rank is below 5");
    }

    [Fact]
    public void An_unknown_protocol_is_a_configuration_error_listing_the_valid_ones()
    {
        var result = TestSupport.Umt.Run(log, "validate", "--set", "Umt:Retrieval:Protocol=paragraphs");

        result.ExitCode.Should().Be(2, result.All);
        result.Error.Should().Contain("Umt:Retrieval:Protocol must be one of equal-captions, multi-caption, paragraph, got 'paragraphs'");
        result.Error.Should().NotContain("   at ", "a configuration error has no stack trace");
    }
}
