namespace Umt.Runner.Engine.Data;

/// <summary>
/// Which rows of every global batch this process reads: rank r of W takes rows
/// <c>[r·B, (r+1)·B)</c> of the global batch of W·B samples (a distributed sampler over the one
/// permutation of (seed, epoch)). The cursor counts global samples, so the W slices of a step are
/// exactly the batch one process would read with W·B rows, and a checkpoint resumes under any W
/// that divides the global batch.
/// </summary>
public readonly record struct DataShard(int Rank, int Count)
{
    public static DataShard Whole { get; } = new(0, 1);
}
