namespace Umt.Plugins.Datasets.Augmentation;

/// <summary>
/// Which of the reference's temporal samplers picks a clip's frames. The two stages of the
/// reference sample differently, and a reproduction must use each stage's own rule.
/// </summary>
internal enum FrameSamplingMode
{
    /// <summary>
    /// Stage 1 (single_modality/datasets/mae.py, <c>VideoMAE._sample_train_indices</c> with
    /// <c>num_segments = frames</c>): one random frame from each of <c>frames</c> equal segments of
    /// length <c>frameCount / frames</c> (the remainder at the end is never used).
    /// </summary>
    Tsn,

    /// <summary>
    /// VideoMAE pre-training (MCG-NJU/VideoMAE kinetics.py, <c>VideoMAE</c> with <c>num_segments = 1</c>,
    /// <c>new_length = frames</c>, <c>new_step</c> = the sampling rate): <c>frames</c> frames a fixed
    /// step apart from one random start, one dense window instead of one frame per segment.
    /// </summary>
    Dense,

    /// <summary>
    /// Stage 2 training (multi_modality/dataset/video_utils.py, <c>get_frame_indices</c>,
    /// <c>sample='rand'</c>): one random frame from each of <c>frames</c> numpy-linspace segments.
    /// </summary>
    Rand,

    /// <summary>
    /// Stage 2 evaluation (<c>get_frame_indices</c>, <c>sample='middle'</c>): the middle frame of
    /// each linspace segment, no randomness.
    /// </summary>
    Middle,
}
