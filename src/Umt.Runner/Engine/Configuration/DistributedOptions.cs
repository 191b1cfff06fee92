using System.ComponentModel.DataAnnotations;

namespace Umt.Runner.Engine.Configuration;

/// <summary>
/// <c>Umt:Distributed</c>: how processes of one job train together. <c>single</c> is one process;
/// <c>mpi</c> is data-parallel over Open MPI, one process per rank started by <c>mpirun</c>
/// (or <c>srun --mpi=pmix</c>), each reading its slice of every global batch.
/// </summary>
public sealed class DistributedOptions
{
    [AllowedValues("single", "mpi")]
    public string Backend { get; set; } = "single";

    /// <summary>Gradients are averaged in buckets of about this size, as DDP's <c>bucket_cap_mb</c> (25): fewer, larger messages than one per parameter.</summary>
    [Range(1, 4096)]
    public int BucketMegabytes { get; set; } = 25;
}
