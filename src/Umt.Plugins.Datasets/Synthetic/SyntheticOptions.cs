using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.Datasets.Synthetic;

/// <summary>
/// Options of the <c>synthetic</c> dataset (SyntheticActions), bound from
/// <c>Umt:Dataset:Options:synthetic</c>. Property initialisers are the defaults. Frame count and
/// image size are not options: they come from the run's student (<c>Umt:Model:Frames</c>,
/// <c>Umt:Model:ImageSize</c>), so the data always matches the model it feeds.
/// </summary>
public sealed class SyntheticOptions
{
    /// <summary>Number of clips (or images, when <see cref="Images"/> is set) in the dataset.</summary>
    [Range(1, int.MaxValue)]
    public int Clips { get; set; } = 4096;

    /// <summary>
    /// The dataset's own content seed: clip <c>i</c> of seed <c>s</c> is the same pixels on every
    /// machine. Independent of the run seed (<c>Umt:Run:Seed</c>), so runs with different seeds
    /// train and are evaluated on the same data.
    /// </summary>
    public long Seed { get; set; }

    /// <summary>
    /// <c>train</c> or <c>test</c>. The two splits draw their clips from disjoint keys, so a probe
    /// trained on <c>train</c> is evaluated on clips it has never seen.
    /// </summary>
    [Required]
    [RegularExpression("^(train|test)$", ErrorMessage = "Split must be 'train' or 'test'.")]
    public string Split { get; set; } = "train";

    /// <summary>
    /// Adds, with probability 0.5 per clip, a second smaller static object of another shape and
    /// colour: a distractor the appearance label does not describe.
    /// </summary>
    public bool Clutter { get; set; } = true;

    /// <summary>Shifts each frame as a whole by a random −1, 0 or +1 pixel in x and y (a shaky camera).</summary>
    public bool CameraJitter { get; set; } = true;

    /// <summary>Standard deviation of the per-pixel noise, in [0, 1] pixel units (before normalisation).</summary>
    [Range(0.0, 1.0)]
    public double Noise { get; set; } = 0.02;

    /// <summary>
    /// Image-text mode: one frame per sample (T = 1), a still object, captions without motion
    /// ("a small red triangle") and only the <c>appearance</c> label set. This is the data the tiny
    /// teacher is trained on.
    /// </summary>
    public bool Images { get; set; }
}
