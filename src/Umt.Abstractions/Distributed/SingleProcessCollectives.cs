using static TorchSharp.torch;

namespace Umt.Abstractions.Distributed;

/// <summary>The default backend (<c>Umt:Distributed:Backend = single</c>): a world of one, where every collective is the identity.</summary>
public sealed class SingleProcessCollectives : ICollectives
{
    public static SingleProcessCollectives Instance { get; } = new();

    private SingleProcessCollectives()
    {
    }

    public int Rank => 0;

    public int WorldSize => 1;

    public int LocalRank => 0;

    public int LocalSize => 1;

    public void AllReduce(Tensor tensor, ReduceOperation operation)
    {
    }

    public Tensor AllGather(Tensor tensor) => tensor.alias();

    public void Broadcast(Tensor tensor, int root)
    {
        if (root != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(root), root, "A single process has only rank 0.");
        }
    }

    public void Barrier()
    {
    }

    public void Abort(int exitCode) => Environment.Exit(exitCode);

    public void Dispose()
    {
    }
}
