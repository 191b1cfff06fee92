using System.ComponentModel.DataAnnotations;
using Umt.Plugins.Datasets.MediaDatasets;

namespace Umt.Plugins.Datasets.WebVid;

/// <summary>
/// Options of the <c>webvid</c> dataset (<c>Umt:Dataset:Options:webvid</c>): captioned videos for
/// stage 2, from the official CSV or the reference's JSON lists.
/// </summary>
public sealed class WebVidOptions : MediaDatasetOptions
{
    /// <summary><c>csv</c>: the official <c>videoid,contentUrl,duration,page_dir,name</c> CSV; <c>json</c>: the reference's <c>video</c> + <c>caption</c> lists; <c>auto</c>: by extension.</summary>
    [Required]
    [RegularExpression("^(auto|csv|json)$", ErrorMessage = "Format must be auto, csv or json.")]
    public string Format { get; set; } = "auto";

    /// <summary>File of a CSV row under the root, from <c>{page_dir}</c> and <c>{videoid}</c> (Frozen-in-Time's layout).</summary>
    [Required]
    public string FilePattern { get; set; } = "{page_dir}/{videoid}.mp4";

    /// <summary>The reference's caption cleaning (<c>pre_text</c>: lower case, punctuation stripped).</summary>
    public bool CleanCaptions { get; set; } = true;
}
