using System.ComponentModel.DataAnnotations;
using Umt.Plugins.Datasets.MediaDatasets;

namespace Umt.Plugins.Datasets.Kinetics;

/// <summary>
/// Options of the <c>kinetics</c> dataset (<c>Umt:Dataset:Options:kinetics</c>): Kinetics-400/600/700
/// or K710 videos for stage 1, from the reference's lists or the official CSVs.
/// </summary>
public sealed class KineticsOptions : MediaDatasetOptions
{
    /// <summary>
    /// <c>list</c>: the reference's <c>path,label</c> lists (no header; comma or space);
    /// <c>csv</c>: the official <c>label,youtube_id,time_start,time_end,split</c> CSV;
    /// <c>auto</c>: <c>csv</c> when the first line names <c>youtube_id</c>, else <c>list</c>.
    /// </summary>
    [Required]
    [RegularExpression("^(auto|list|csv)$", ErrorMessage = "Format must be auto, list or csv.")]
    public string Format { get; set; } = "auto";

    /// <summary>List separator: <c>,</c> (the reference's scripts), a space (VideoMAE's lists) or <c>auto</c> (per line).</summary>
    [Required(AllowEmptyStrings = true)]
    [RegularExpression("^(auto|,| )$", ErrorMessage = "Separator must be auto, ',' or ' '.")]
    public string Separator { get; set; } = "auto";

    /// <summary>File name of an official-CSV row, from its columns (<c>{label}</c>, <c>{youtube_id}</c>, <c>{time_start:06}</c>, <c>{time_end:06}</c>, <c>{split}</c>).</summary>
    [Required]
    public string FilePattern { get; set; } = "{youtube_id}_{time_start:06}_{time_end:06}.mp4";

    /// <summary>Class names, one per line, in class-index order (official CSV; default: the CSV's labels sorted).</summary>
    public string? Classes { get; set; }

    /// <summary>
    /// A UniFormerV2/UMT label map (<c>label_mixto400.json</c>): entry i is the K710 class of this
    /// dataset's class i, so labels come out in K710's index space.
    /// </summary>
    public string? LabelMap { get; set; }
}
