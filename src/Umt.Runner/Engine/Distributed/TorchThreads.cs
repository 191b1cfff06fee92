using TorchSharp;

namespace Umt.Runner.Engine.Distributed;

/// <summary>The intra-op thread count of a training or benchmark process.</summary>
public static class TorchThreads
{
    /// <summary>
    /// <c>Umt:Run:Threads</c> when set (&gt; 0); otherwise the machine's cores shared out among the
    /// job's processes on it, since each process's pool would otherwise claim every core and the
    /// processes would oversubscribe them (torchrun sets OMP_NUM_THREADS=1 for the same reason);
    /// a lone process keeps torch's default.
    /// </summary>
    public static void Configure(int configured, int processesOnMachine)
    {
        if (configured > 0)
        {
            torch.set_num_threads(configured);
        }
        else if (processesOnMachine > 1)
        {
            torch.set_num_threads(Math.Max(1, Environment.ProcessorCount / processesOnMachine));
        }
    }
}
