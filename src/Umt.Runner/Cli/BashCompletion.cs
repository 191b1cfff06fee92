using System.CommandLine;
using System.CommandLine.Completions;
using System.Text;
using System.Text.RegularExpressions;

namespace Umt.Runner.Cli;

/// <summary>
/// A bash completion script written from the command tree itself (every verb, option and fixed
/// choice that System.CommandLine knows), so it cannot drift from the command line: a verb added
/// to <see cref="UmtCommandLine"/> completes with the next <c>umt completion bash</c>. Static,
/// with no process started per key press (the runner takes seconds to start).
/// </summary>
public static partial class BashCompletion
{
    /// <summary>The script for <paramref name="root"/>, completing the command <paramref name="program"/>.</summary>
    public static string Script(Command root, string program)
    {
        var paths = new List<(string Path, Command Command, IReadOnlyList<Option> Options)>();
        Walk(root, program, [], paths);

        var script = new StringBuilder();
        script.AppendLine($"# bash completion for {program}, written by `{program} completion bash` from its command-line definition.");
        script.AppendLine($"# Use: source <({program} completion bash)   (or save it under /etc/bash_completion.d/{program})");
        script.AppendLine($"_{Function(program)}() {{");
        script.AppendLine("  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\" i");
        script.AppendLine($"  local path=\"{program}\"");
        // The verb path so far: each word that names a subcommand of the path extends it.
        script.AppendLine("  for ((i = 1; i < COMP_CWORD; i++)); do");
        script.AppendLine("    case \"$path ${COMP_WORDS[i]}\" in");
        script.AppendLine($"      {string.Join('|', paths.Skip(1).Select(p => Quote(p.Path)))}) path=\"$path ${{COMP_WORDS[i]}}\" ;;");
        script.AppendLine("    esac");
        script.AppendLine("  done");
        // After an option that takes a value: its fixed choices, or nothing (`-o default` then offers file names).
        script.AppendLine("  case \"$path|$prev\" in");
        foreach (var (path, _, options) in paths)
        {
            var valued = options.Where(TakesValue).Select(o => (Option: o, Choices: Choices(o))).ToList();
            foreach (var (option, choices) in valued.Where(v => v.Choices.Length > 0))
            {
                script.AppendLine($"    {Patterns(path, [option])}) COMPREPLY=($(compgen -W {Quote(string.Join(' ', choices))} -- \"$cur\")); return 0 ;;");
            }
            if (valued.Where(v => v.Choices.Length == 0).Select(v => v.Option).ToList() is { Count: > 0 } free)
            {
                script.AppendLine($"    {Patterns(path, free)}) return 0 ;;");
            }
        }
        script.AppendLine("  esac");
        // Otherwise: the path's subcommands and options.
        script.AppendLine("  local words=\"\"");
        script.AppendLine("  case \"$path\" in");
        foreach (var (path, command, options) in paths)
        {
            var words = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).Concat(options.SelectMany(Names));
            script.AppendLine($"    {Quote(path)}) words={Quote(string.Join(' ', words))} ;;");
        }
        script.AppendLine("  esac");
        script.AppendLine("  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))");
        script.AppendLine("}");
        script.AppendLine($"complete -o default -F _{Function(program)} {program}");
        return script.ToString();
    }

    /// <summary>Every verb path below <paramref name="command"/> with the options it accepts (its own and the recursive ones above it).</summary>
    private static void Walk(Command command, string path, IReadOnlyList<Option> inherited, List<(string, Command, IReadOnlyList<Option>)> paths)
    {
        var options = inherited.Concat(command.Options.Where(o => !o.Hidden)).DistinctBy(o => o.Name).ToList();
        paths.Add((path, command, options));
        var recursive = options.Where(o => o.Recursive).ToList();
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            Walk(sub, $"{path} {sub.Name}", recursive, paths);
        }
    }

    /// <summary>The case patterns "path|name" of every name of <paramref name="options"/>.</summary>
    private static string Patterns(string path, IEnumerable<Option> options) => string.Join('|', options.SelectMany(Names).Select(name => Quote($"{path}|{name}")));

    private static bool TakesValue(Option option) => option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool);

    /// <summary>The values System.CommandLine itself would complete (an option restricted to a set), never free text.</summary>
    private static string[] Choices(Option option) =>
        [.. option.GetCompletions(CompletionContext.Empty).Select(c => c.Label).Where(label => Word().IsMatch(label))];

    /// <summary>The option's name and dash aliases that a shell word can hold as they are (<c>-?</c> would be a glob; <c>/h</c> is for Windows).</summary>
    private static IEnumerable<string> Names(Option option) => new[] { option.Name }.Concat(option.Aliases).Where(name => name.StartsWith('-') && Word().IsMatch(name)).Distinct();

    private static string Function(string program) => NonWord().Replace(program, "_");

    /// <summary>Single-quoted for bash; the words quoted here are plain (see <see cref="Word"/>), so no quote needs escaping.</summary>
    private static string Quote(string text) => $"'{text}'";

    [GeneratedRegex("^[A-Za-z0-9_.:=/+-]+$")]
    private static partial Regex Word();

    [GeneratedRegex("[^A-Za-z0-9_]")]
    private static partial Regex NonWord();
}
