using System.CommandLine;
using Umt.Runner.Cli;
using Umt.Tests.TestSupport;
using Xunit.Abstractions;

namespace Umt.Tests.Runner;

/// <summary><c>umt completion bash</c>: the script offers what the command line defines, and loads in a fresh shell.</summary>
public sealed class CompletionCommandTests(ITestOutputHelper log)
{
    [Fact]
    public void Completion_offers_every_verb_and_option_of_the_command_line_at_every_verb()
    {
        using var dir = new TemporaryDirectory();
        var result = TestSupport.Umt.Run(null, "completion", "bash");
        result.ExitCode.Should().Be(0, result.All);
        string script = dir.Combine("umt.bash");
        File.WriteAllText(script, result.Output);

        // Every verb path of the real tree, with what must be offered after it: its subcommands and options (own and inherited).
        var expected = new List<(string Path, string[] Words)>();
        Collect(UmtCommandLine.Create(TextWriter.Null, TextWriter.Null), "umt", [], expected);
        expected.Select(e => e.Path).Should().Contain(["umt mask", "umt completion bash", "umt teacher train", "umt eval probe"]);
        // One shell asks the completion function at every path: COMP_WORDS = the path and an empty word being typed.
        var ask = string.Join('\n', expected.Select(e =>
            $"COMP_WORDS=({e.Path} ''); COMP_CWORD={e.Path.Split(' ').Length}; COMPREPLY=(); _umt; echo \"{e.Path}:${{COMPREPLY[*]}}\""));
        var shell = BashScript.Run($"source \"$SCRIPT\"\n{ask}", new Dictionary<string, string?> { ["SCRIPT"] = script });
        shell.ExitCode.Should().Be(0, shell.Error);

        var offered = shell.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(':', 2))
            .ToDictionary(parts => parts[0], parts => parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        foreach (var (path, words) in expected)
        {
            offered.Should().ContainKey(path);
            offered[path].Should().BeEquivalentTo(words, $"'{path} <TAB>' offers its subcommands and options");
        }
        // A typed prefix narrows the offer; after an option with fixed choices, the choices.
        var narrowed = BashScript.Run("source \"$SCRIPT\"\n"
            + "COMP_WORDS=(umt mask --vi); COMP_CWORD=2; _umt; echo \"${COMPREPLY[*]}\"\n"
            + "COMP_WORDS=(umt finetune --task ''); COMP_CWORD=3; COMPREPLY=(); _umt; echo \"${COMPREPLY[*]}\"",
            new Dictionary<string, string?> { ["SCRIPT"] = script });
        narrowed.Output.Split('\n').Should().StartWith(["--video", "classification detection qa retrieval"]);
        log.WriteLine($"{expected.Count} verb paths checked");
    }

    [Fact]
    public void Completion_loads_in_a_fresh_shell_from_the_umt_command()
    {
        using var dir = new TemporaryDirectory();
        // `umt` on PATH: the runner this test project built, as the ./umt launcher runs it.
        string bin = Directory.CreateDirectory(dir.Combine("bin")).FullName;
        BashScript.WriteExecutable(Path.Combine(bin, "umt"), $"exec dotnet '{Path.Combine(AppContext.BaseDirectory, "Umt.Runner.dll")}' \"$@\"");

        var shell = BashScript.Run("source <(umt completion bash); complete -p umt",
            new Dictionary<string, string?> { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}" });

        shell.ExitCode.Should().Be(0, shell.Error);
        shell.Output.Trim().Should().Be("complete -o default -F _umt umt");
    }

    /// <summary>The words bash should offer at <paramref name="command"/>: visible subcommands and the dash names of its options and the recursive ones above it.</summary>
    private static void Collect(Command command, string path, IReadOnlyList<Option> inherited, List<(string, string[])> expected)
    {
        var options = inherited.Concat(command.Options.Where(o => !o.Hidden)).DistinctBy(o => o.Name).ToList();
        var names = options.SelectMany(o => new[] { o.Name }.Concat(o.Aliases)).Where(n => n.StartsWith('-') && !n.Contains('?')).Distinct();
        expected.Add((path, [.. command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).Concat(names)]));
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            Collect(sub, $"{path} {sub.Name}", [.. options.Where(o => o.Recursive)], expected);
        }
    }
}
