using static TorchSharp.torch;

namespace Umt.Models.Detection;

/// <summary>
/// RoIAlign with the semantics of <c>torchvision.ops.roi_align</c> (Mask R-CNN's operator, the
/// one AlphAction and the reference's AVA head pool person boxes with): each output bin is the
/// mean of a grid of bilinear samples of the feature map. The served TorchVision .NET package
/// (0.107.0) has no roi_align (only its box-format helpers), so it is built here from TorchSharp
/// ops; differentiable with respect to the features, not the boxes (boxes are data).
/// </summary>
/// <remarks>
/// A bin's value is <c>Σ_iy Σ_ix wy(y_iy)·wx(x_ix)·f / (gh·gw)</c>: bilinear sampling on a
/// rectangular grid is separable, and torchvision's rules are per axis too (a sample with either
/// coordinate below −1 or beyond the map's size is zero; coordinates clamp at 0 and at the last
/// row/column). So each box is two small matrices, rows × H and columns × W, holding the averaged
/// interpolation weights, and the pooling is two matmuls: exact, batched over channels, and on
/// whatever device the features are.
/// </remarks>
public static class RoiAlign
{
    /// <summary>Pools every box of <paramref name="boxes"/> from its image of <paramref name="input"/>.</summary>
    /// <param name="input">Features [N, C, H, W].</param>
    /// <param name="boxes">[K, 5]: batch index, x1, y1, x2, y2 in input-image coordinates (scaled by <paramref name="spatialScale"/> onto the features).</param>
    /// <param name="outputHeight">Bins per box, vertically.</param>
    /// <param name="outputWidth">Bins per box, horizontally.</param>
    /// <param name="spatialScale">Feature-map size over input-image size (1/16 for a stride-16 ViT and boxes in pixels).</param>
    /// <param name="samplingRatio">Samples per bin along each axis; ≤ 0: ceil(box size / bins), per box (torchvision's default −1).</param>
    /// <param name="aligned">True: pixel centres at half-integers (coordinates shifted by −0.5, AlphAction's and Detectron2's choice); false: the original operator, boxes at least 1×1.</param>
    /// <returns>[K, C, outputHeight, outputWidth].</returns>
    public static Tensor Apply(Tensor input, Tensor boxes, int outputHeight, int outputWidth, double spatialScale = 1.0, int samplingRatio = -1, bool aligned = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(boxes);
        if (input.dim() != 4 || boxes.dim() != 2 || boxes.shape[1] != 5)
        {
            throw new ArgumentException($"RoIAlign takes features [N, C, H, W] and boxes [K, 5]; got [{string.Join(", ", input.shape)}] and [{string.Join(", ", boxes.shape)}].");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(outputHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputWidth, 1);
        long channels = input.shape[1], height = input.shape[2], width = input.shape[3];
        using var scope = NewDisposeScope();
        double[] rois = boxes.to(ScalarType.Float64, CPU).data<double>().ToArray();
        int count = rois.Length / 5;
        if (count == 0)
        {
            return zeros([0, channels, outputHeight, outputWidth], input.dtype, input.device).MoveToOuterDisposeScope(); // [0, C, oh, ow]
        }
        double offset = aligned ? 0.5 : 0.0;
        var pooled = new Tensor[count];
        for (int k = 0; k < count; k++)
        {
            long image = (long)rois[5 * k];
            if (image < 0 || image >= input.shape[0])
            {
                throw new ArgumentException($"Box {k} names image {image}; the batch has {input.shape[0]}.", nameof(boxes));
            }
            double x1 = rois[5 * k + 1] * spatialScale - offset, y1 = rois[5 * k + 2] * spatialScale - offset;
            double boxWidth = rois[5 * k + 3] * spatialScale - offset - x1, boxHeight = rois[5 * k + 4] * spatialScale - offset - y1;
            if (!aligned)
            {
                // The original operator never pools a box smaller than one feature cell.
                boxWidth = Math.Max(boxWidth, 1.0);
                boxHeight = Math.Max(boxHeight, 1.0);
            }
            Tensor rows = AxisWeights(y1, boxHeight, outputHeight, height, samplingRatio).to(input.dtype, input.device);  // [oh, H]
            Tensor columns = AxisWeights(x1, boxWidth, outputWidth, width, samplingRatio).to(input.dtype, input.device); // [ow, W]
            pooled[k] = rows.matmul(input[image]).matmul(columns.t()); // [C, oh, W] → [C, oh, ow]
        }
        return stack(pooled).MoveToOuterDisposeScope(); // [K, C, oh, ow]
    }

    /// <summary>
    /// One axis of one box: row b holds the bilinear weights of bin b's samples over the feature
    /// axis, averaged over the samples (an out-of-range sample adds nothing but still counts).
    /// </summary>
    private static Tensor AxisWeights(double start, double size, int bins, long extent, int samplingRatio)
    {
        double bin = size / bins;
        // Negative sizes (aligned boxes with x2 < x1) give no samples and a zero bin, as torchvision's kernel.
        int grid = samplingRatio > 0 ? samplingRatio : (int)Math.Ceiling(size / bins);
        var weights = new double[bins * extent];
        for (int b = 0; b < bins && grid > 0; b++)
        {
            for (int s = 0; s < grid; s++)
            {
                double at = start + b * bin + (s + 0.5) * bin / grid;
                if (at < -1.0 || at > extent)
                {
                    continue;
                }
                at = Math.Max(at, 0.0);
                long low = (long)at, high = low + 1;
                if (low >= extent - 1)
                {
                    low = high = extent - 1;
                    at = low;
                }
                double fraction = at - low;
                weights[b * extent + low] += (1 - fraction) / grid;
                weights[b * extent + high] += fraction / grid;
            }
        }
        return tensor(weights, [bins, extent], ScalarType.Float64); // [bins, extent]
    }
}
