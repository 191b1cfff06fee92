using Umt.Abstractions.Datasets;
using static TorchSharp.torch;

namespace Umt.Plugins.Objectives.MaePixels;

/// <summary>
/// VideoMAE's reconstruction targets: the pixels of each token's (tubelet × p × p) cube, in
/// [0, 1] and, by default, normalised per cube and channel. Mirrors the label computation of
/// VideoMAE engine_for_pretraining.py <c>train_one_epoch</c> (<c>normlize_target</c> branches).
/// </summary>
public static class PixelTargets
{
    /// <summary>
    /// Added to the standard deviation so flat cubes (sd 0) give 0 rather than NaN; VideoMAE's value.
    /// </summary>
    private const double Epsilon = 1e-6;

    /// <summary>
    /// Targets of every token of <paramref name="video"/>, without gradient.
    /// </summary>
    /// <param name="video">ImageNet-normalised clips <c>[B, 3, T, H, W]</c>.</param>
    /// <param name="tubelet">Frames per token slot.</param>
    /// <param name="patchSize">Spatial patch side p.</param>
    /// <param name="normalize">
    /// Per cube and channel, subtract the mean and divide by (unbiased sd + 1e-6) over the cube's
    /// tubelet·p·p pixels (<c>normlize_target=True</c>); otherwise the [0, 1] pixels as they are.
    /// </param>
    /// <returns>
    /// <c>[B, N, tubelet·p·p·3]</c>, tokens in (t, h, w) order, each row laid out (tubelet, p, p,
    /// channel) with the channel innermost, as the reference's <c>(p0 p1 p2 c)</c> rearrange.
    /// </returns>
    public static Tensor Compute(Tensor video, int tubelet, int patchSize, bool normalize)
    {
        if (video.dim() != 5 || video.shape[1] != 3)
        {
            throw new ArgumentException($"Expected normalised clips [B, 3, T, H, W], got [{string.Join(", ", video.shape)}].", nameof(video));
        }
        long batch = video.shape[0], frames = video.shape[2], height = video.shape[3], width = video.shape[4];
        if (frames % tubelet != 0 || height % patchSize != 0 || width % patchSize != 0)
        {
            throw new ArgumentException(
                $"Clip {frames}×{height}×{width} does not split into {tubelet}×{patchSize}×{patchSize} cubes.", nameof(video));
        }
        long slots = frames / tubelet, rows = height / patchSize, columns = width / patchSize;
        long cube = tubelet * patchSize * patchSize;

        using var noGrad = no_grad(); // targets are labels: no graph through the input
        using var scope = NewDisposeScope();
        // Undo the loader's ImageNet normalisation: unnorm_videos = videos * std + mean, in [0, 1].
        var mean = tensor(ImageNetNormalization.Mean, dtype: video.dtype, device: video.device).view(1, 3, 1, 1, 1); // [1, 3, 1, 1, 1]
        var std = tensor(ImageNetNormalization.Std, dtype: video.dtype, device: video.device).view(1, 3, 1, 1, 1); // [1, 3, 1, 1, 1]
        var pixels = video * std + mean; // [B, 3, T, H, W]

        // rearrange 'b c (t p0) (h p1) (w p2) -> b (t h w) (p0 p1 p2) c'
        var cubes = pixels
            .view(batch, 3, slots, tubelet, rows, patchSize, columns, patchSize) // [B, 3, T', tubelet, H', p, W', p]
            .permute(0, 2, 4, 6, 3, 5, 7, 1) // [B, T', H', W', tubelet, p, p, 3]
            .reshape(batch, slots * rows * columns, cube, 3); // [B, N, tubelet·p·p, 3]

        if (normalize)
        {
            // (x - x.mean(dim=-2)) / (x.var(dim=-2, unbiased=True).sqrt() + 1e-6): each channel of
            // each cube separately, so the loss ignores a patch's brightness and contrast.
            var cubeMean = cubes.mean([2], keepdim: true); // [B, N, 1, 3]
            var cubeStd = cubes.var(2, unbiased: true, keepdim: true).sqrt(); // [B, N, 1, 3]
            cubes = (cubes - cubeMean) / (cubeStd + Epsilon); // [B, N, tubelet·p·p, 3]
        }

        // rearrange 'b n p c -> b n (p c)': channel innermost.
        return cubes.reshape(batch, slots * rows * columns, cube * 3).MoveToOuterDisposeScope(); // [B, N, tubelet·p·p·3]
    }
}
