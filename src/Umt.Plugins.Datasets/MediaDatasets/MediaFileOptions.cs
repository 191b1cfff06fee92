using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.Datasets.MediaDatasets;

/// <summary>How every dataset of video files decodes: the decoder and the time a clip may take.</summary>
public abstract class VideoDecodingOptions
{
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
