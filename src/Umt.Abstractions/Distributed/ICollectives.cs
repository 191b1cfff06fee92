using static TorchSharp.torch;

namespace Umt.Abstractions.Distributed;

/// <summary>How <see cref="ICollectives.AllReduce"/> combines the processes' values.</summary>
public enum ReduceOperation
{
    Sum,

    /// <summary>The sum divided by the world size (gradient averaging, as DDP).</summary>
    Mean,

    Max,
}

/// <summary>
/// The collective operations data-parallel training needs (architecture.md, "Scaling out"): what
/// PyTorch's <c>torch.distributed</c> gives the reference, behind an interface so the runner does
/// not know which engine carries them (<c>Umt:Distributed:Backend</c>: <c>single</c> or
/// <c>mpi</c>). Every process of the job must call the same collectives in the same order with
/// tensors of the same shape and dtype. Tensors are contiguous; the CPU backends work on CPU
/// tensors (a backend that reads device memory, such as NCCL, would take CUDA tensors).
/// </summary>
public interface ICollectives : IDisposable
{
    /// <summary>This process's rank in [0, <see cref="WorldSize"/>).</summary>
    int Rank { get; }

    int WorldSize { get; }

    /// <summary>Rank among the processes on this machine (selects the GPU and the thread share).</summary>
    int LocalRank { get; }

    /// <summary>Processes on this machine.</summary>
    int LocalSize { get; }

    /// <summary>Combines <paramref name="tensor"/> over every process, in place: afterwards every process holds the result.</summary>
    void AllReduce(Tensor tensor, ReduceOperation operation);

    /// <summary>Concatenates every process's <paramref name="tensor"/> along dimension 0, in rank order: <c>[W·B, …]</c> from <c>[B, …]</c>.</summary>
    Tensor AllGather(Tensor tensor);

    /// <summary>Overwrites <paramref name="tensor"/> on every process with the root's values.</summary>
    void Broadcast(Tensor tensor, int root);

    /// <summary>Returns once every process has entered it.</summary>
    void Barrier();

    /// <summary>
    /// Ends every process of the job with <paramref name="exitCode"/> after this one failed, so the
    /// others do not wait forever in a collective it will never enter. Does not return.
    /// </summary>
    void Abort(int exitCode);
}
