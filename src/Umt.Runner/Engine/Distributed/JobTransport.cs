using System.Text;
using Umt.Abstractions.Distributed;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Distributed;

/// <summary>
/// Which nodes the job's processes run on and which Open MPI transport joins them, for
/// <c>umt distributed check</c>. MPI has no portable call that names the transport a pair of
/// processes uses, so this reads what chose it: the node of every rank (its hostname, gathered)
/// and the MCA parameters the launcher passed to the processes (<c>mpirun --mca btl …</c> arrives as
/// <c>OMPI_MCA_btl</c>). Parameters set only in Open MPI's own configuration files are not seen,
/// and the description then says that Open MPI chose.
/// </summary>
/// <param name="Hosts">The hostname of each rank, in rank order.</param>
/// <param name="WithinNode">How processes on the same node talk; null when every node runs one process.</param>
/// <param name="BetweenNodes">How processes on different nodes talk; null on one node.</param>
public sealed record JobTransport(IReadOnlyList<string> Hosts, int Nodes, string? WithinNode, string? BetweenNodes)
{
    /// <summary>Longest hostname exchanged (POSIX HOST_NAME_MAX is 64); longer ones are cut, which only affects the grouping of names that share those bytes.</summary>
    private const int NameBytes = 64;

    public static JobTransport Discover(ICollectives collectives, IReadOnlyDictionary<string, string?> environment)
    {
        var hosts = GatherHostnames(collectives, Environment.MachineName);
        int nodes = hosts.Distinct(StringComparer.Ordinal).Count();
        bool sharesNode = hosts.GroupBy(h => h, StringComparer.Ordinal).Any(g => g.Count() > 1);
        string? btl = Read(environment, "OMPI_MCA_btl");
        string? pml = Read(environment, "OMPI_MCA_pml");
        string? nic = Read(environment, "OMPI_MCA_btl_tcp_if_include");
        return new JobTransport(hosts, nodes, sharesNode ? Within(btl, pml) : null, nodes > 1 ? Between(btl, pml, nic) : null);
    }

    private static string Within(string? btl, string? pml) =>
        btl is null || pml is not ("ob1" or null)
            ? "shared memory (Open MPI's choice: the vader BTL, or UCX's)"
            : Allows(btl, "vader") || Allows(btl, "sm") ? $"shared memory (vader; btl {btl})" : $"TCP over the loopback (btl {btl} excludes shared memory)";

    private static string Between(string? btl, string? pml, string? nic) =>
        btl is null || pml is not ("ob1" or null)
            ? "network (Open MPI's choice: UCX/InfiniBand where present, else TCP)"
            : Allows(btl, "tcp") ? $"TCP{(nic is null ? "" : $" on {nic}")} (btl {btl}{(pml is null ? "" : $", pml {pml}")})" : $"none that reaches another node (btl {btl})";

    /// <summary>Whether an MCA component list (<c>tcp,self</c> or the exclusion form <c>^vader</c>) lets <paramref name="component"/> run.</summary>
    private static bool Allows(string list, string component)
    {
        bool exclude = list.StartsWith('^');
        bool named = list.TrimStart('^').Split(',').Contains(component, StringComparer.Ordinal);
        return exclude ? !named : named;
    }

    private static string? Read(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    private static List<string> GatherHostnames(ICollectives collectives, string own)
    {
        using var scope = NewDisposeScope();
        var bytes = new byte[NameBytes];
        var encoded = Encoding.UTF8.GetBytes(own); // hostnames are ASCII (RFC 1123), so a cut never splits a character
        Array.Copy(encoded, bytes, Math.Min(encoded.Length, NameBytes));
        var local = tensor(bytes, ScalarType.Byte).view(1, NameBytes);                 // [1, 64]
        var gathered = collectives.AllGather(local);                                    // [W, 64]
        var all = gathered.data<byte>().ToArray();
        return [.. Enumerable.Range(0, collectives.WorldSize).Select(r => Encoding.UTF8.GetString(all, r * NameBytes, NameBytes).TrimEnd('\0'))];
    }
}
