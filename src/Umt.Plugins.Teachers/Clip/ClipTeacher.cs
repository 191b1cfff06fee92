using Umt.Abstractions.Composition;
using Umt.Abstractions.Teachers;
using Umt.Models.Clip;
using static TorchSharp.torch;

namespace Umt.Plugins.Teachers.Clip;

/// <summary>
/// A frozen CLIP vision tower as UMT's teacher (unmasked_teacher single_modality/models/clip.py
/// and engine_for_pretraining_umt.py): frames folded into the batch and resized to the teacher's
/// resolution, then per requested block the patch tokens through <c>ln_post</c> and <c>proj</c>,
/// L2-normalised (<c>clip_norm_type='l2'</c>), plus the last block's CLS→patch attention.
/// </summary>
internal sealed class ClipTeacher : ITeacher
{
    private readonly ClipVisionTransformer visual;
    private readonly Tensor positions;
    private readonly int inputResolution;

    public ClipTeacher(ClipTeacherSpec spec, PluginContext context)
    {
        inputResolution = spec.InputResolution;
        context.Log.Information("Teacher precision {Precision} ({Reason})", spec.Precision.Bf16 ? "bf16" : "fp32", spec.Precision.Reason);
        visual = FrozenClipVision.Load(spec.WeightsPath, spec.Config, spec.Precision.Bf16, context.Device);
        using var noGrad = no_grad();
        // The reference resizes the table once at load (interpolate_pos_embed); so does this.
        positions = visual.PositionTable(spec.GridSide).detach().clone().DetachFromDisposeScope(); // [1 + P, D]
    }

    public TeacherOutput Encode(Tensor video, IReadOnlyList<int> layers, bool withAttention)
    {
        using var noGrad = no_grad();
        var (batch, channels, frames, height, width) = (video.shape[0], video.shape[1], video.shape[2], video.shape[3], video.shape[4]);

        // 1. frames folded into the batch, row b·T + t, and resized to the teacher's input
        var images = video.permute(0, 2, 1, 3, 4).reshape(batch * frames, channels, height, width); // [B·T, 3, H, W]
        if (height != inputResolution || width != inputResolution)
        {
            images = nn.functional.interpolate(images, [inputResolution, inputResolution], mode: InterpolationMode.Bicubic, align_corners: false); // [B·T, 3, R, R]
        }

        // 2. the tower on whole frames: residual streams of the requested blocks and the CLS attention
        var output = visual.Encode(images, layers, withAttention, positions);   // [K, B·T, P, D], [B·T, P]

        // 3. targets: ln_post and proj on every returned layer, then L2-normalised in fp32
        var projected = visual.Project(output.Layers).to(ScalarType.Float32);  // [K, B·T, P, C]
        var normalised = nn.functional.normalize(projected, p: 2, dim: -1);    // [K, B·T, P, C]
        long k = normalised.shape[0], tokens = normalised.shape[2], c = normalised.shape[3];
        var features = normalised.reshape(k, batch, frames * tokens, c);       // [K, B, N, C]  t-major: row b·T + t → tokens t·P..
        return new TeacherOutput(features, output.ClsAttention);               // [K, B, N, C], [B·T, P] fp32
    }

    public void Dispose()
    {
        positions.Dispose();
        visual.Dispose();
    }
}
