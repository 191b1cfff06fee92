namespace Umt.Runner.Engine.Data;

/// <summary>How every stream of a run is read (<c>Umt:Run</c>): the same for videos and images.</summary>
/// <param name="BatchSize">Samples per micro-batch and process.</param>
/// <param name="Workers">Decode workers per stream.</param>
/// <param name="Prefetch">Finished batches held ready ahead of the step.</param>
public sealed record StreamReading(long Seed, int BatchSize, int Workers, int Prefetch, double MaxFailureFraction);
