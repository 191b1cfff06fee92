namespace Umt.Tests.Architecture;

/// <summary>
/// The Runner's layering (docs/DECISIONS.md, "The Runner's layout"): the engine never uses a workflow
/// or the command line; workflows never use the command line. The root namespace holds only the
/// entry point and counts as command line.
/// </summary>
public static class LayerRule
{
    /// <summary>Each forbidden use in <paramref name="graph"/>, as "from → to (example)".</summary>
    public static IReadOnlyList<string> Violations(NamespaceGraph graph, string root)
    {
        int Layer(string ns) =>
            ns.StartsWith(root + ".Engine", StringComparison.Ordinal) ? 0
            : ns.StartsWith(root + ".Workflows", StringComparison.Ordinal) ? 1
            : 2;
        return graph.Edges
            .Where(e => Layer(e.From) < Layer(e.To))
            .Select(e => $"{e.From} → {e.To} ({e.Example})")
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
