using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Randomness;
using Umt.Abstractions.Teachers;
using Umt.Runner.Engine.Step;
using Umt.Runner.Workflows.TeacherTraining;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.Mechanism;

/// <summary>The mechanism check's result.</summary>
/// <param name="Mean">Mean enrichment over the clips (1 = visible tokens fall in the box as often as any token).</param>
/// <param name="Clips">Clips with a small main object that were measured.</param>
public sealed record EnrichmentResult(double Mean, int Clips);

/// <summary>
/// The mechanism check of semantic masking (synthetic-benchmark.md): per clip, the share of the
/// visible tokens that lie inside the main object's box, divided by the share of all tokens inside
/// it (box coverage counted by area, frame by frame), averaged over clips whose object is small.
/// Semantic masking should keep the object visible far more often than random masking at the same ratio.
/// </summary>
public static class VisibleTokenEnrichment
{
    /// <summary>Measures <paramref name="masking"/> on the first <paramref name="clips"/> small-object clips of <paramref name="dataset"/>.</summary>
    /// <param name="grid">The student's grid; tubelet 1 (one token slot per frame, as the boxes are per frame).</param>
    /// <param name="teacher">Supplies attention when the strategy needs it; null otherwise.</param>
    /// <param name="teacherDepth">Depth of the teacher (its last block gives the attention).</param>
    public static EnrichmentResult Measure(IVideoDataset dataset, TokenGrid grid, int frames, int side, IMaskingStrategy masking,
        ITeacher? teacher, int teacherDepth, long seed, int clips, Device device, int batchSize = 16)
    {
        if (grid.T != frames)
        {
            throw new ArgumentException($"The enrichment is measured per frame and needs tubelet 1; the grid {grid} has {grid.T} slots for {frames} frames.");
        }
        var selected = new List<(long Index, VideoSample Sample)>();
        for (long i = 0; i < dataset.Info.Count && selected.Count < clips; i++)
        {
            var sample = dataset.Read(i, augmentationKey: 0); // unaugmented: boxes must describe the pixels
            if (SyntheticImages.HasSmallObject(sample) && sample.Boxes is not null)
            {
                selected.Add((i, sample));
            }
        }
        var values = new List<double>();
        foreach (var chunk in NativeGarbage.Stepwise(selected.Chunk(batchSize)))
        {
            using var scope = NewDisposeScope();
            var video = tensor(chunk.SelectMany(c => c.Sample.Pixels).ToArray(), [chunk.Length, 3, frames, side, side]).to(device); // [B, 3, T, H, W]
            var attention = teacher?.Encode(video, [teacherDepth - 1], withAttention: true).Attention;                           // [B·T, P]
            var keys = new SampleKeys(seed, 0, chunk.Select(c => c.Index).ToArray());
            var hidden = masking.CreateMask(new MaskingInput(grid, keys, device, attention)).cpu();                              // [B, N] bool
            var visible = hidden.logical_not().to(ScalarType.Float32).contiguous().data<float>().ToArray();                      // [B·N]
            for (int b = 0; b < chunk.Length; b++)
            {
                var boxes = chunk[b].Sample.Boxes!;
                var coverage = new float[grid.Count];
                for (int t = 0; t < frames; t++)
                {
                    var frame = AttentionEnrichment.BoxCoverage((boxes[4 * t], boxes[4 * t + 1], boxes[4 * t + 2], boxes[4 * t + 3]), grid.H);
                    frame.CopyTo(coverage, t * grid.PerSlot);
                }
                // A visible-token indicator is an "attention" map: the same ratio of shares.
                double value = AttentionEnrichment.Of(visible.AsSpan(b * grid.Count, grid.Count), coverage);
                if (double.IsFinite(value))
                {
                    values.Add(value);
                }
            }
        }
        return new EnrichmentResult(values.Count == 0 ? double.NaN : values.Average(), values.Count);
    }
}
