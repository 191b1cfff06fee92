using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;

namespace Umt.Runner.Engine.Composition;

/// <summary>
/// One media stream of a run as planned: a dataset and the masking of its batches. Stage 1 trains
/// on the video stream alone; stage 2 adds an image stream (<c>Umt:ImageDataset</c>,
/// <c>Umt:ImageMasking</c>) whose batches alternate with the videos', as the reference's
/// <c>MetaLoader</c> (multi_modality/dataset/dataloader.py) alternates its loaders.
/// </summary>
/// <param name="Name"><c>video</c> or <c>image</c>, for the log.</param>
/// <param name="DatasetSection">Configuration section of its dataset (<c>Umt:Dataset</c>, <c>Umt:ImageDataset</c>).</param>
/// <param name="MaskingSection">Configuration section of its masking (<c>Umt:Masking</c>, <c>Umt:ImageMasking</c>).</param>
/// <param name="Grid">Token grid of its batches: the student's for clips, one frame for images.</param>
public sealed record StreamPlan(
    string Name,
    string DatasetSection,
    SelectedPlugin Dataset,
    DatasetInfo DatasetInfo,
    string MaskingSection,
    SelectedPlugin Masking,
    MaskingTraits MaskingTraits,
    TokenGrid Grid);
