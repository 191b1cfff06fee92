using System.ComponentModel.DataAnnotations;
using Umt.Plugins.Datasets.MediaDatasets;

namespace Umt.Plugins.Datasets.Ava;

/// <summary>
/// Options of the <c>ava</c> dataset (<c>Umt:Dataset:Options:ava</c>): AVA v2.2's key frames for
/// action detection, one sample per annotated key frame, each a clip centred on it. Frame count
/// and size come from the run's student, as for every dataset of files.
/// </summary>
public sealed class AvaOptions : MediaFileOptions, IValidatableObject
{
    /// <summary>
    /// <c>train</c>: the actors are the annotated boxes (the reference trains on ground truth);
    /// <c>eval</c>: with <see cref="Detections"/>, a person detector's boxes are given too, to be classified.
    /// </summary>
    [Required]
    [RegularExpression("^(train|eval)$", ErrorMessage = "Mode must be 'train' or 'eval'.")]
    public string Mode { get; set; } = "eval";

    /// <summary><c>eval</c> mode: a person detector's boxes with scores (<c>video_id,timestamp,x1,y1,x2,y2,,score</c>); absent: the annotated boxes are classified (score 1).</summary>
    public string? Detections { get; set; }

    /// <summary>Detected boxes scored below this are dropped (AlphAction's <c>TEST.BOX_THRESH</c>).</summary>
    [Range(0.0, 1.0)]
    public double DetectionThreshold { get; set; } = 0.8;

    /// <summary>Excluded timestamps (<c>ava_val_excluded_timestamps_v2.2.csv</c>): those key frames are not samples.</summary>
    public string? Exclusions { get; set; }

    /// <summary>Frames per second of the videos (30: AVA's videos as the reference's preparation re-encodes them).</summary>
    [Range(0.1, 1000.0)]
    public double FrameRate { get; set; } = 30;

    /// <summary>Second of the movie where a video file starts (900: AVA's 15-minute clips cut from second 900; 0 for whole files).</summary>
    [Range(0, 100_000)]
    public int TimeOffset { get; set; } = 900;

    /// <summary>Frames between consecutive picks of the clip around the key frame (the reference's AVA recipe: 8).</summary>
    [Range(1, 64)]
    public int SamplingRate { get; set; } = 8;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode == "train" && Detections is not null)
        {
            yield return new ValidationResult("Detections apply to Mode = eval only: training classifies the annotated boxes, as the reference does.", [nameof(Detections)]);
        }
    }
}
