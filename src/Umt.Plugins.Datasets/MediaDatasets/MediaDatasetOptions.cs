using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.Datasets.MediaDatasets;

/// <summary>
/// What every dataset of real files shares (<c>kinetics</c>, <c>ssv2</c>, <c>webvid</c>,
/// <c>cc3m</c>): a manifest, the media root every manifest path is resolved under, and how
/// samples are drawn. Frame count and size are not options: they come from the run's student
/// (<c>Umt:Model:Frames</c>, <c>Umt:Model:ImageSize</c>), so the data always matches the model.
/// </summary>
public abstract class MediaDatasetOptions : MediaFileOptions, IValidatableObject
{
    /// <summary>
    /// <c>train</c>: the reference's training sampling and augmentation (random frame per segment,
    /// random crop, flip); <c>eval</c>: the middle frame of each segment, a fixed crop, no flip.
    /// </summary>
    [Required]
    [RegularExpression("^(train|eval)$", ErrorMessage = "Mode must be 'train' or 'eval'.")]
    public string Mode { get; set; } = "train";

    /// <summary>
    /// <c>train</c> mode's choice of frames. <c>segments</c>: the stage's reference rule, one frame
    /// from each of <c>Umt:Model:Frames</c> segments of the whole video (stage 1: equal segments;
    /// stage 2: linspace intervals). <c>dense</c>: VideoMAE's pre-training clips, consecutive frames
    /// <see cref="SamplingRate"/> apart from one random start (a video shorter than that window
    /// repeats the last frame it reaches). <c>eval</c> mode and images ignore it.
    /// </summary>
    [Required]
    [RegularExpression("^(segments|dense)$", ErrorMessage = "Sampling must be 'segments' or 'dense'.")]
    public string Sampling { get; set; } = "segments";

    /// <summary><c>dense</c> sampling: frames between consecutive picks (VideoMAE's <c>--sampling_rate</c>, 4 in its Kinetics recipe).</summary>
    [Range(1, 64)]
    public int SamplingRate { get; set; } = 4;

    /// <summary>Horizontal flip with probability 0.5 in <c>train</c> mode (turn off where left/right is the label, as the reference does for SSv2).</summary>
    public bool Flip { get; set; } = true;

    /// <summary>
    /// <c>eval</c> mode: temporal views of every clip in the multi-view test (the reference's
    /// <c>test_num_segment</c>); <see cref="TestClip"/> says which one this dataset reads. 1: the
    /// middle frame of each segment, as a single-view evaluation.
    /// </summary>
    [Range(1, 100)]
    public int TestClips { get; set; } = 1;

    /// <summary>Which temporal view, in [0, <see cref="TestClips"/>).</summary>
    [Range(0, 99)]
    public int TestClip { get; set; }

    /// <summary><c>eval</c> mode: spatial views (the reference's <c>test_num_crop</c>, 3 in its recipes), squares of the short side along the long side; 1: the mode's usual crop.</summary>
    [Range(1, 100)]
    public int TestCrops { get; set; } = 1;

    /// <summary>Which spatial view, in [0, <see cref="TestCrops"/>).</summary>
    [Range(0, 99)]
    public int TestCrop { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TestClip >= TestClips)
        {
            yield return new ValidationResult($"TestClip must be in [0, TestClips = {TestClips}), got {TestClip}.", [nameof(TestClip)]);
        }
        if (TestCrop >= TestCrops)
        {
            yield return new ValidationResult($"TestCrop must be in [0, TestCrops = {TestCrops}), got {TestCrop}.", [nameof(TestCrop)]);
        }
        if (Mode == "train" && TestClips * TestCrops > 1)
        {
            yield return new ValidationResult($"Test views (TestClips {TestClips}, TestCrops {TestCrops}) apply to Mode = eval only; training draws its own frames and crops.", [nameof(Mode)]);
        }
    }
}
