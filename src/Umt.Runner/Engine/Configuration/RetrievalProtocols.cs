namespace Umt.Runner.Engine.Configuration;

/// <summary>Values of <c>Umt:Retrieval:Protocol</c>: which texts are the queries of <c>eval retrieval</c> and which clips answer them.</summary>
public static class RetrievalProtocols
{
    /// <summary>One caption per clip (the sample's); clips with equal captions are positives of each other (the synthetic data's 720 captions repeat).</summary>
    public const string EqualCaptions = "equal-captions";

    /// <summary>Every caption of a clip is a query whose one positive is its clip (multi_modality/dataset/caption_dataset.py <c>build_data_multi_txt_gt</c>; MSVD, MSR-VTT).</summary>
    public const string MultiCaption = "multi-caption";

    /// <summary>A clip's captions joined with a space into one query (caption_dataset.py <c>is_paragraph_retrieval</c>; DiDeMo, ActivityNet).</summary>
    public const string Paragraph = "paragraph";

    public static readonly IReadOnlyList<string> All = [EqualCaptions, MultiCaption, Paragraph];
}
