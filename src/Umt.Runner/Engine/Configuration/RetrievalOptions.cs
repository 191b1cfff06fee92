using System.ComponentModel.DataAnnotations;

namespace Umt.Runner.Engine.Configuration;

/// <summary><c>Umt:Retrieval</c>: the protocol of <c>umt eval retrieval</c> (and of <c>finetune --task retrieval</c>'s held-out test).</summary>
public sealed class RetrievalOptions
{
    /// <summary>
    /// <c>equal-captions</c> (the synthetic data: equal captions are positives), <c>multi-caption</c>
    /// (each caption of a clip a query with that clip as ground truth, as the reference scores MSVD)
    /// or <c>paragraph</c> (a clip's captions joined into one query, as it scores DiDeMo and ActivityNet).
    /// </summary>
    [Required]
    [AllowedValues(RetrievalProtocols.EqualCaptions, RetrievalProtocols.MultiCaption, RetrievalProtocols.Paragraph)]
    public string Protocol { get; set; } = RetrievalProtocols.EqualCaptions;
}
