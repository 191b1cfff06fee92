using Umt.Abstractions.Randomness;
using static TorchSharp.torch;

namespace Umt.Abstractions.Datasets;

/// <summary>A collated batch on the run's device.</summary>
/// <param name="Video">Normalised clips <c>[B, 3, T, H, W]</c>, fp32.</param>
/// <param name="Keys">Global sample index and keyed randomness of each row.</param>
/// <param name="Samples">Per-row labels, captions and boxes (row order = <paramref name="Video"/> order).</param>
public sealed record VideoBatch(Tensor Video, SampleKeys Keys, IReadOnlyList<VideoSample> Samples);
