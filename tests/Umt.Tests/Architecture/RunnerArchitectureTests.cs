using System.Text.RegularExpressions;
using Umt.Runner.Cli;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Architecture;

/// <summary>The Runner's folders are its architecture (issue 18): layers hold and namespaces form no cycle.</summary>
public sealed class RunnerArchitectureTests
{
    private const string Root = "Umt.Runner";
    private static readonly Lazy<NamespaceGraph> Runner =
        new(() => NamespaceGraph.Read(typeof(UmtCommandLine).Assembly.Location, Root));

    [Fact]
    public void The_graph_reads_the_runners_namespaces_and_their_uses()
    {
        var graph = Runner.Value;
        graph.Namespaces.Should().Contain(["Umt.Runner.Cli", "Umt.Runner.Engine.Step", "Umt.Runner.Workflows.Study"]);
        graph.Edges.Should().Contain(e => e.From == "Umt.Runner.Cli" && e.To == "Umt.Runner.Engine.Training");
    }

    [Fact]
    public void The_engine_uses_no_workflow_and_no_command_line_and_workflows_use_no_command_line()
    {
        LayerRule.Violations(Runner.Value, Root).Should().BeEmpty();
    }

    /// <summary>
    /// The IL misses what the compiler inlines (constants such as <c>ExitCodes</c>), so the source is
    /// read too: engine files name no workflow or command-line namespace, workflow files no command line.
    /// </summary>
    [Fact]
    public void No_engine_source_names_a_workflow_or_the_command_line_and_no_workflow_source_names_the_command_line()
    {
        string runner = Path.Combine(RepositoryPaths.Root, "src", "Umt.Runner");
        var forbidden = new[]
        {
            (Folder: "Engine", Pattern: new Regex(@"\b(Umt\.Runner\.)?(Cli|Workflows)\.[A-Z]")),
            (Folder: "Workflows", Pattern: new Regex(@"\b(Umt\.Runner\.)?Cli\.[A-Z]")),
        };
        var found = forbidden.SelectMany(rule => Directory.EnumerateFiles(Path.Combine(runner, rule.Folder), "*.cs", SearchOption.AllDirectories)
                .SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, i)))
                .Where(x => rule.Pattern.IsMatch(x.line))
                .Select(x => $"{Path.GetRelativePath(runner, x.file)}:{x.i + 1}: {x.line.Trim()}"))
            .ToList();

        found.Should().BeEmpty();
    }

    [Fact]
    public void No_two_runner_namespaces_depend_on_each_other()
    {
        var graph = Runner.Value;
        var cycles = graph.Cycles();
        cycles.Should().BeEmpty(because: "each cycle's uses are: " + string.Join("; ", cycles.SelectMany(c =>
            graph.Edges.Where(e => c.Contains(e.From) && c.Contains(e.To)).Select(e => e.Example))));
    }

    [Fact]
    public void A_planted_cycle_and_a_planted_layer_violation_are_both_found()
    {
        const string planted = "Umt.Tests.Architecture.Planted";
        var graph = NamespaceGraph.Read(typeof(RunnerArchitectureTests).Assembly.Location, planted);

        graph.Cycles().Should().ContainSingle().Which.Should().Equal($"{planted}.Engine", $"{planted}.Workflows");
        LayerRule.Violations(graph, planted).Should().ContainSingle()
            .Which.Should().StartWith($"{planted}.Engine → {planted}.Workflows");
    }
}
