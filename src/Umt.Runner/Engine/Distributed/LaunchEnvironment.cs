using System.Collections;
using System.Globalization;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Engine.Distributed;

/// <summary>
/// Where this process sits in a job, as the launcher that started it says: Open MPI's
/// <c>mpirun</c> (<c>OMPI_COMM_WORLD_*</c>), MPICH/Intel MPI's Hydra (<c>PMI_*</c>), Slurm's
/// <c>srun</c> (<c>SLURM_*</c>) or torchrun (<c>RANK</c>/<c>WORLD_SIZE</c>/<c>LOCAL_RANK</c>), first
/// match in that order, as the reference's <c>utils/distributed.py</c> falls back from one to the
/// next. Read before anything starts, so the plan knows the global batch without initialising MPI.
/// </summary>
/// <param name="Launcher">Which variables said so, for messages; <c>none</c> when no launcher did.</param>
public sealed record LaunchEnvironment(int Rank, int WorldSize, int LocalRank, int LocalSize, string Launcher)
{
    public static LaunchEnvironment Single { get; } = new(0, 1, 0, 1, "none");

    public static LaunchEnvironment FromProcess() => Detect(ProcessVariables());

    /// <summary>This process's environment variables, where launchers leave what they tell the processes they start.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessVariables() => Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
        .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    /// <exception cref="ConfigurationException">A launcher variable is not a number, or the rank lies outside the world.</exception>
    public static LaunchEnvironment Detect(IReadOnlyDictionary<string, string?> environment)
    {
        int? Read(string name)
        {
            if (!environment.TryGetValue(name, out var text) || string.IsNullOrEmpty(text))
            {
                return null;
            }
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
                ? value
                : throw new ConfigurationException($"The launcher variable {name} = '{text}' is not a non-negative integer.");
        }

        LaunchEnvironment? Try(string launcher, string rank, string size, string localRank, string? localSize, int? localSizeValue = null)
        {
            if (Read(rank) is not { } r || Read(size) is not { } w)
            {
                return null;
            }
            if (w < 1 || r >= w)
            {
                throw new ConfigurationException($"{launcher}: {rank} = {r} does not lie in a world of {size} = {w} processes.");
            }
            int local = Read(localRank) ?? 0;
            int localCount = (localSize is null ? localSizeValue : Read(localSize)) ?? 1;
            return new LaunchEnvironment(r, w, local, Math.Max(1, Math.Max(localCount, local + 1)), launcher);
        }

        return Try("Open MPI (OMPI_COMM_WORLD_*)", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE")
            ?? Try("Hydra (PMI_*)", "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", "MPI_LOCALNRANKS")
            ?? Try("Slurm (SLURM_*)", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID", null, SlurmTasksOnThisNode(environment))
            ?? Try("torchrun (RANK/WORLD_SIZE)", "RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE")
            ?? Single;
    }

    /// <summary>
    /// Tasks on this node from <c>SLURM_TASKS_PER_NODE</c> (<c>"4"</c>, <c>"2(x3)"</c> or
    /// <c>"2(x2),1"</c>, one entry per node in node order, this node at <c>SLURM_NODEID</c>).
    /// </summary>
    private static int? SlurmTasksOnThisNode(IReadOnlyDictionary<string, string?> environment)
    {
        if (!environment.TryGetValue("SLURM_TASKS_PER_NODE", out var text) || string.IsNullOrEmpty(text))
        {
            return null;
        }
        int node = environment.TryGetValue("SLURM_NODEID", out var id) && int.TryParse(id, CultureInfo.InvariantCulture, out int n) ? n : 0;
        foreach (string entry in text.Split(','))
        {
            int open = entry.IndexOf('(', StringComparison.Ordinal);
            bool repeated = open > 0 && entry.EndsWith(')') && entry[open + 1] == 'x';
            int repeat = 1;
            if (!int.TryParse(open < 0 ? entry : entry[..open], NumberStyles.None, CultureInfo.InvariantCulture, out int tasks)
                || (open >= 0 && (!repeated || !int.TryParse(entry[(open + 2)..^1], NumberStyles.None, CultureInfo.InvariantCulture, out repeat))))
            {
                return null; // a form this reader does not know: the local size stays unknown (1), which only affects the thread share
            }
            if (node < repeat)
            {
                return tasks;
            }
            node -= repeat;
        }
        return null;
    }
}
