using System.ComponentModel.DataAnnotations;
using Umt.Plugins.Datasets.MediaDatasets;

namespace Umt.Plugins.Datasets.Cc3m;

/// <summary>
/// Options of the <c>cc3m</c> dataset (<c>Umt:Dataset:Options:cc3m</c>): captioned images for
/// stage 2 (one-frame clips, so the run needs <c>Umt:Model:Frames = 1</c> until stage 2 mixes
/// image and video batches).
/// </summary>
public sealed class Cc3mOptions : MediaDatasetOptions
{
    /// <summary><c>tsv</c>: <c>caption&lt;TAB&gt;url-or-file</c> rows; <c>json</c>: the reference's <c>image</c> + <c>caption</c> lists; <c>auto</c>: by extension.</summary>
    [Required]
    [RegularExpression("^(auto|tsv|json)$", ErrorMessage = "Format must be auto, tsv or json.")]
    public string Format { get; set; } = "auto";

    /// <summary>Image file of a TSV row whose second column is a URL, from its 0-based <c>{row}</c> (downloaders save by row index).</summary>
    [Required]
    public string FilePattern { get; set; } = "{row:08}.jpg";

    /// <summary>The reference's caption cleaning (<c>pre_text</c>).</summary>
    public bool CleanCaptions { get; set; } = true;

    /// <summary>
    /// Largest image read, in megapixels (width × height / 10⁶, from the file's header, before any
    /// decoding): a larger one, such as a decompression bomb (a 1 MB PNG of 20000²), is skipped as
    /// unreadable. 64 MP is 8000²: beyond web photos such as CC3M's; a decoded image takes 4 bytes a pixel.
    /// </summary>
    [Range(1, 1024)]
    public int MaxImageMegapixels { get; set; } = 64;
}
