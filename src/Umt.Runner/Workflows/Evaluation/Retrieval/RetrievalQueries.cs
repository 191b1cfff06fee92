using Umt.Abstractions.Datasets;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Workflows.Evaluation.Retrieval;

/// <summary>A clip's captions as its dataset read them: the one drawn for this read, and all of them in manifest order.</summary>
public sealed record ClipCaptions(string Drawn, IReadOnlyList<string> All)
{
    /// <summary>A sample without <see cref="VideoSample.Captions"/> has its one caption as all of them.</summary>
    public static ClipCaptions Of(VideoSample sample)
    {
        string drawn = sample.Caption ?? "";
        return new ClipCaptions(drawn, sample.Captions is { Count: > 0 } all ? all : [drawn]);
    }
}

/// <summary>
/// The text queries of a retrieval evaluation and their ground truth under one
/// <see cref="RetrievalProtocols">protocol</see>: text row t of the similarity matrix is
/// <see cref="Texts"/>[t], and <see cref="Positives"/>[t, v] marks clip v as an answer to it. Video→text
/// uses the transpose, so a clip's answers are the texts that name it, as the reference's
/// <c>img2txt</c> map is the inverse of its <c>txt2img</c> (multi_modality/dataset/caption_dataset.py).
/// </summary>
/// <param name="Positives"><c>[texts, clips]</c>.</param>
public sealed record RetrievalQueries(string Protocol, IReadOnlyList<string> Texts, bool[,] Positives)
{
    /// <summary>Distinct query texts: below <see cref="Texts"/>' count when captions repeat.</summary>
    public int DistinctTexts => Texts.Distinct(StringComparer.Ordinal).Count();

    /// <exception cref="ArgumentException">An unknown protocol (configuration validates it first), or no clips.</exception>
    public static RetrievalQueries Build(string protocol, IReadOnlyList<ClipCaptions> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        if (clips.Count == 0)
        {
            throw new ArgumentException("There are no clips to build queries for.", nameof(clips));
        }
        return protocol switch
        {
            RetrievalProtocols.EqualCaptions => EqualCaptions(clips),
            RetrievalProtocols.MultiCaption => MultiCaption(clips),
            RetrievalProtocols.Paragraph => Paragraph(clips),
            _ => throw new ArgumentException($"Unknown retrieval protocol '{protocol}'; valid: {string.Join(", ", RetrievalProtocols.All)}.", nameof(protocol)),
        };
    }

    /// <summary>One query per clip, its drawn caption; clip v answers text t when their captions are equal (square, symmetric).</summary>
    private static RetrievalQueries EqualCaptions(IReadOnlyList<ClipCaptions> clips)
    {
        int n = clips.Count;
        var positives = new bool[n, n];
        for (int t = 0; t < n; t++)
        {
            for (int v = 0; v < n; v++)
            {
                positives[t, v] = string.Equals(clips[t].Drawn, clips[v].Drawn, StringComparison.Ordinal);
            }
        }
        return new RetrievalQueries(RetrievalProtocols.EqualCaptions, [.. clips.Select(c => c.Drawn)], positives);
    }

    /// <summary>
    /// <c>build_data_multi_txt_gt</c>: every caption of every clip, clip by clip, and each text's one
    /// answer is its own clip (<c>txt2img[t]</c>); equal captions of different clips stay different queries.
    /// </summary>
    private static RetrievalQueries MultiCaption(IReadOnlyList<ClipCaptions> clips)
    {
        var texts = clips.SelectMany(c => c.All).ToList();
        var positives = new bool[texts.Count, clips.Count];
        int t = 0;
        for (int v = 0; v < clips.Count; v++)
        {
            for (int i = 0; i < clips[v].All.Count; i++)
            {
                positives[t++, v] = true;
            }
        }
        return new RetrievalQueries(RetrievalProtocols.MultiCaption, texts, positives);
    }

    /// <summary>
    /// <c>is_paragraph_retrieval</c>: a clip's captions joined with one space into one query whose
    /// answer is that clip (the diagonal).
    /// </summary>
    private static RetrievalQueries Paragraph(IReadOnlyList<ClipCaptions> clips)
    {
        int n = clips.Count;
        var positives = new bool[n, n];
        for (int v = 0; v < n; v++)
        {
            positives[v, v] = true;
        }
        return new RetrievalQueries(RetrievalProtocols.Paragraph, [.. clips.Select(c => string.Join(' ', c.All))], positives);
    }
}
