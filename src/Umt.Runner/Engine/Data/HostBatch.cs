using Umt.Abstractions.Datasets;

namespace Umt.Runner.Engine.Data;

/// <summary>A batch assembled off the training thread, in managed memory.</summary>
/// <param name="Indices">Global sample index of each row.</param>
/// <param name="Pixels">Rows of <c>[3, T, H, W]</c> values back to back: <c>[B, 3, T, H, W]</c>.</param>
/// <param name="Frames">T of every row (1 for an image batch).</param>
/// <param name="Samples">Labels, captions, boxes per row.</param>
/// <param name="After">The data cursor once this batch is consumed.</param>
public sealed record HostBatch(long[] Indices, float[] Pixels, int Frames, IReadOnlyList<VideoSample> Samples, DataCursor After);
