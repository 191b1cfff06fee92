using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;

namespace Umt.Runner.Engine.Data;

/// <summary>
/// How the batches of one media stream are masked: what the training step needs to know of the
/// stream a batch came from, rather than inferring it from the batch's shape.
/// </summary>
/// <param name="Stream"><c>video</c> or <c>image</c>, for messages.</param>
/// <param name="Grid">Token grid of the stream's batches (an image is one frame).</param>
/// <param name="Strategy">The stream's masking; streams configured with the same masking share one object.</param>
/// <param name="Traits">What the masking needs (teacher attention) and keeps visible.</param>
public sealed record StreamMasking(string Stream, TokenGrid Grid, IMaskingStrategy Strategy, MaskingTraits Traits);
