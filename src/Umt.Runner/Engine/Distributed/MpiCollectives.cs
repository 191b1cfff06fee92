using System.Runtime.InteropServices;
using Umt.Abstractions.Distributed;
using Umt.Runner.Engine.Configuration;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Distributed;

/// <summary>
/// <see cref="ICollectives"/> over Open MPI's <c>MPI_COMM_WORLD</c> (<c>Umt:Distributed:Backend = mpi</c>).
/// Works on host memory: CPU tensors are handed to MPI where they lie (their storage, no copy);
/// a tensor on another device is staged through a CPU copy (the CPU path of scale-and-users.md §1.4 (b);
/// a GPU job wants NCCL behind the same interface). Counts above MPI's <c>int</c> go in chunks.
/// </summary>
public sealed class MpiCollectives : ICollectives
{
    private readonly IntPtr comm;
    private bool disposed;

    private MpiCollectives(IntPtr comm, int rank, int worldSize, int localRank, int localSize)
    {
        this.comm = comm;
        Rank = rank;
        WorldSize = worldSize;
        LocalRank = localRank;
        LocalSize = localSize;
    }

    public int Rank { get; }

    public int WorldSize { get; }

    public int LocalRank { get; }

    public int LocalSize { get; }

    /// <summary>Initialises MPI (once per process) and checks that its world is the one the launcher announced.</summary>
    public static MpiCollectives Start(LaunchEnvironment launch)
    {
        MpiLibrary.Load();
        MpiLibrary.Check(MpiLibrary.MPI_Initialized(out int initialized), "MPI_Initialized");
        if (initialized == 0)
        {
            MpiLibrary.Check(MpiLibrary.MPI_Init_thread(IntPtr.Zero, IntPtr.Zero, MpiLibrary.ThreadSerialized, out _), "MPI_Init_thread");
        }
        var comm = MpiLibrary.CommWorld;
        MpiLibrary.Check(MpiLibrary.MPI_Comm_rank(comm, out int rank), "MPI_Comm_rank");
        MpiLibrary.Check(MpiLibrary.MPI_Comm_size(comm, out int size), "MPI_Comm_size");
        if (launch.WorldSize != size || launch.Rank != rank)
        {
            throw new ConfigurationException(
                $"Umt:Distributed:Backend = mpi: the launcher ({launch.Launcher}) announced rank {launch.Rank} of {launch.WorldSize}, but MPI_COMM_WORLD has rank {rank} of {size}. "
                + "Start the job with mpirun (or srun --mpi=pmix); torchrun starts processes but no MPI job.");
        }
        return new MpiCollectives(comm, rank, size, launch.LocalRank, launch.LocalSize);
    }

    public void AllReduce(Tensor tensor, ReduceOperation operation)
    {
        string datatype = tensor.dtype switch
        {
            ScalarType.Float32 => "ompi_mpi_float",
            ScalarType.Float64 => "ompi_mpi_double",
            ScalarType.Int64 => "ompi_mpi_int64_t",
            ScalarType.Int32 => "ompi_mpi_int",
            _ => throw new NotSupportedException($"All-reduce of {tensor.dtype} tensors: the MPI backend reduces float32, float64, int32 and int64."),
        };
        if (operation == ReduceOperation.Mean && !tensor.is_floating_point())
        {
            throw new NotSupportedException($"A mean all-reduce of {tensor.dtype} values would truncate; reduce a floating-point tensor.");
        }
        var type = MpiLibrary.Global(datatype);
        var op = MpiLibrary.Global(operation == ReduceOperation.Max ? "ompi_mpi_op_max" : "ompi_mpi_op_sum");
        OnHost(tensor, host =>
        {
            foreach (var (chunk, count) in Chunks(host))
            {
                MpiLibrary.Check(MpiLibrary.MPI_Allreduce(MpiLibrary.InPlace, ref First(chunk), count, type, op, comm), "MPI_Allreduce");
            }
            if (operation == ReduceOperation.Mean)
            {
                host.div_(WorldSize);
            }
        });
    }

    public Tensor AllGather(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var local = tensor.detach().cpu().contiguous();                              // [B, …]
        long bytes = local.numel() * local.element_size();
        if (bytes * WorldSize > int.MaxValue)
        {
            throw new NotSupportedException($"All-gather of {bytes * WorldSize} bytes: the MPI backend gathers up to 2 GiB at once.");
        }
        var gathered = empty([WorldSize * local.shape[0], .. local.shape[1..]], local.dtype); // [W·B, …]
        if (bytes > 0)
        {
            var byteType = MpiLibrary.Global("ompi_mpi_byte");
            MpiLibrary.Check(MpiLibrary.MPI_Allgather(ref First(local), (int)bytes, byteType, ref First(gathered), (int)bytes, byteType, comm), "MPI_Allgather");
        }
        return gathered.to(tensor.device).MoveToOuterDisposeScope();
    }

    public void Broadcast(Tensor tensor, int root)
    {
        var byteType = MpiLibrary.Global("ompi_mpi_byte");
        OnHost(tensor, host =>
        {
            foreach (var (chunk, count) in Chunks(host))
            {
                MpiLibrary.Check(MpiLibrary.MPI_Bcast(ref First(chunk), count * (int)chunk.element_size(), byteType, root, comm), "MPI_Bcast");
            }
        });
    }

    public void Barrier() => MpiLibrary.Check(MpiLibrary.MPI_Barrier(comm), "MPI_Barrier");

    public void Abort(int exitCode)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        MpiLibrary.MPI_Abort(comm, exitCode);
        Environment.Exit(exitCode); // MPI_Abort does not return; this only runs if the library broke that promise
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }
        disposed = true;
        MpiLibrary.Check(MpiLibrary.MPI_Finalized(out int finalized), "MPI_Finalized");
        if (finalized == 0)
        {
            MpiLibrary.Check(MpiLibrary.MPI_Finalize(), "MPI_Finalize");
        }
    }

    /// <summary>Runs <paramref name="action"/> on a contiguous CPU tensor holding <paramref name="tensor"/>'s values, writing back when that was a copy.</summary>
    private static void OnHost(Tensor tensor, Action<Tensor> action)
    {
        if (tensor.device_type == TorchSharp.DeviceType.CPU && tensor.is_contiguous())
        {
            action(tensor);
            return;
        }
        using var host = tensor.detach().cpu().contiguous();
        action(host);
        using var _ = no_grad();
        tensor.copy_(host);
    }

    /// <summary>The tensor's storage as consecutive 1-D views whose bytes fit MPI's <c>int</c> counts and a span.</summary>
    private static IEnumerable<(Tensor Chunk, int Count)> Chunks(Tensor host)
    {
        long limit = int.MaxValue / host.element_size();
        using var flat = host.view(-1);                                               // [numel]
        long total = flat.numel();
        for (long start = 0; start < total; start += limit)
        {
            int count = (int)Math.Min(limit, total - start);
            using var chunk = flat.narrow(0, start, count);
            yield return (chunk, count);
        }
    }

    /// <summary>The first byte of a contiguous CPU tensor's storage, for a P/Invoke <c>void *</c> (its memory is native, so nothing is pinned).</summary>
    private static ref byte First(Tensor tensor) => ref MemoryMarshal.GetReference(tensor.bytes);
}
