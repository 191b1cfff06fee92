using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Models.Detection;
using Umt.Models.Student;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// Action detection as the reference's AVA fine-tuning (AlphAction-style): the student's tokens
/// (every one visible, after the final norm) as a map <c>[B, D, T', H', W']</c>, the mean over
/// time, RoIAlign of each actor box into 7×7 bins, the max over the bins, and a
/// <see cref="DetectionHead"/>. Checkpoint keys: the student under <c>encoder.</c>, <c>head.*</c>
/// at the top level.
/// </summary>
/// <remarks>
/// Mirrors single_modality/action_detection/modeling_finetune.py <c>forward_features</c>
/// (<c>ROIPoolingCfg</c>: resolution 7, scale 1/patch, sampling ratio 0, the box pooler
/// followed by <c>nn.MaxPool2d(7)</c>). Unlike classification, the reference keeps the encoder's
/// final <c>norm</c> on this path, so it is trained here too.
/// </remarks>
public sealed class ActionDetector : StudentWithHead<DetectionHead>
{
    /// <summary>Bins per side of a box (the reference's <c>POOLER_RESOLUTION</c>).</summary>
    public const int Resolution = 7;

    private ActionDetector(VideoVisionTransformer student, DetectionHead head, Device device) : base(student, head, device)
    {
    }

    /// <summary>A student of <paramref name="config"/> with the checkpoint's weights (or none: <paramref name="pretrained"/> false) and a fresh head, on <paramref name="device"/>.</summary>
    public static ActionDetector FromCheckpoint(StudentConfig config, string modelFile, int classes, double headDropout, double initScale, Device device, TokenGrid? pretrainedGrid, bool pretrained = true)
    {
        var student = PretrainedStudent.Load(config, modelFile, pretrainedGrid, pretrained);
        return new ActionDetector(student, new DetectionHead(config.Width, classes, headDropout, initScale), device);
    }

    /// <param name="video">Clips <c>[B, 3, T, H, W]</c>.</param>
    /// <param name="boxes">
    /// Actor boxes <c>[K, 5]</c> on the host: the clip's row in the batch, then x1, y1, x2, y2
    /// normalised to the frame (the key frame's boxes; the map averages time away, as the reference).
    /// </param>
    /// <param name="dropPathNoise">Uniform draws <c>[B, depth, 2]</c> for drop-path in training, or null.</param>
    /// <returns>Action logits <c>[K, classes]</c>.</returns>
    public Tensor Logits(Tensor video, Tensor boxes, Tensor? dropPathNoise)
    {
        var config = Student.Config;
        var grid = config.ToSpec().Grid;
        long batch = video.shape[0];
        int last = config.Depth - 1;

        // Stage 1: every token through the blocks and the final norm.
        var hidden = zeros([batch, grid.Count], ScalarType.Bool, video.device);                                  // [B, N], nothing hidden
        var tokens = Student.ForwardVisible(video, TokenSelection.FromMask(hidden, grid.Count), [last], dropPathNoise)[last]; // [B, N, D]

        // Stage 2: the token map, averaged over time.
        var map = tokens.reshape(batch, grid.T, grid.H, grid.W, config.Width).permute(0, 4, 1, 2, 3);            // [B, D, T', H', W']
        var frame = map.mean([2]);                                                                               // [B, D, H', W']

        // Stage 3: each box pooled from its clip's map; boxes in input pixels, the map one cell per patch.
        var scale = tensor(new float[] { 1, config.ImageSize, config.ImageSize, config.ImageSize, config.ImageSize }); // [5]
        var rois = RoiAlign.Apply(frame, boxes * scale, Resolution, Resolution, spatialScale: 1.0 / config.PatchSize, samplingRatio: 0); // [K, D, 7, 7]
        var pooled = rois.amax([2, 3]);                                                                          // [K, D]
        return Head.call(pooled);                                                                                // [K, classes]
    }
}
