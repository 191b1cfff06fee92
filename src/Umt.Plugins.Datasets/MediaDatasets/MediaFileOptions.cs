using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.Datasets.MediaDatasets;

/// <summary>
/// What every dataset of media files shares: the file that lists the samples, the folder the media
/// are resolved under, and how videos are decoded (the decoder and the time a clip may take).
/// </summary>
public abstract class MediaFileOptions
{
    /// <summary>The manifest file (format per dataset; <c>ava</c>: an annotation CSV, whose key frames are the samples); relative to the config root.</summary>
    [Required]
    public string Manifest { get; set; } = "";

    /// <summary>Media root: every manifest path is resolved under it, and a path that escapes it is rejected (<c>ava</c>: the folder of <c>&lt;video_id&gt;.mp4|mkv|webm</c>, AVA's <c>videos_15min</c>).</summary>
    [Required]
    public string Root { get; set; } = "";

    /// <summary>
    /// How videos are decoded. <c>workers</c>: long-lived decode worker processes (one per data
    /// worker) that decode clip after clip through Debian's FFmpeg 5.1 libraries, only as far as
    /// the sampled frames need; a worker that crashes or runs past <see cref="DecodeTimeoutSeconds"/>
    /// is killed and restarted, and its clip counted unreadable. Where those libraries are missing
    /// it falls back to <c>ffmpeg</c>. <c>ffmpeg</c>: one ffmpeg CLI process per clip (the slower
    /// original path). Both give the same frames; images ignore it.
    /// </summary>
    [Required]
    [RegularExpression("^(workers|ffmpeg)$", ErrorMessage = "Decoder must be 'workers' or 'ffmpeg'.")]
    public string Decoder { get; set; } = "workers";

    /// <summary>Wall-clock limit for decoding one clip; a clip past it is skipped as unreadable.</summary>
    [Range(1, 3600)]
    public int DecodeTimeoutSeconds { get; set; } = 60;
}
