using Umt.Abstractions.Datasets;
using Umt.Abstractions.Distributed;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Teachers;
using static TorchSharp.torch;

namespace Umt.Abstractions.Objectives;

/// <summary>What an objective may read in one training step. All tensors are on the run's device.</summary>
public sealed class ObjectiveContext
{
    /// <summary>The batch: normalised clips <c>[B, 3, T, H, W]</c>, labels, captions, sample keys.</summary>
    public required VideoBatch Batch { get; init; }

    /// <summary>
    /// The step's mask (<c>[B, N]</c>, bool, true = hidden; equal visible count per row) with its
    /// visible and hidden positions, made once on the device: select tokens through it, never by
    /// indexing with the mask (a boolean index reads the mask back to the host).
    /// </summary>
    public required TokenSelection Selection { get; init; }

    /// <summary>The token grid of this batch: the student's, or one frame's for an image batch (T = 1).</summary>
    public required TokenGrid Grid { get; init; }

    /// <summary>
    /// Outputs of the requested student blocks on the visible tokens, after the encoder's shared
    /// final LayerNorm: block index → <c>[B, Nv, D]</c>, tokens in ascending (t, h, w) order.
    /// </summary>
    public required IReadOnlyDictionary<int, Tensor> StudentBlocks { get; init; }

    /// <summary>Teacher targets for the objective's layers, or null when the run has no teacher.</summary>
    public TeacherOutput? Teacher { get; init; }

    /// <summary>Projections, text states and temperature of stage 2, or null when the run has no text encoder.</summary>
    public VisionLanguageContext? VisionLanguage { get; init; }

    /// <summary>
    /// The job's processes, for an objective that scores rows across them (VTC's gather); the
    /// runner averages every gradient over processes after backward, so a per-row loss needs nothing from it.
    /// </summary>
    public ICollectives Collectives { get; init; } = SingleProcessCollectives.Instance;
}
