using System.CommandLine;
using System.Text.RegularExpressions;

namespace Umt.Runner.Cli;

/// <summary>
/// Help placeholders that name what an option takes (<c>--config FILE</c>, <c>--set KEY=VALUE</c>)
/// instead of System.CommandLine's echo of the option's own name (<c>--config &lt;config&gt;</c>).
/// Applied once over the whole tree so every verb spells an option the same way; an option outside
/// the table that is not a number (a flag, a fixed set of values) keeps what System.CommandLine shows.
/// </summary>
public static class Placeholders
{
    private static readonly IReadOnlyDictionary<string, string> ByOption = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--config"] = "FILE",
        ["--set"] = "KEY=VALUE",
        ["--repo"] = "DIR",
        ["--out"] = "PATH",
        ["--checkpoint"] = "RUN|CHECKPOINT|FILE",
        ["--input"] = "PATH",
        ["--manifest"] = "FILE",
        ["--train-manifest"] = "FILE",
        ["--test-manifest"] = "FILE",
        ["--root"] = "DIR",
        ["--dataset"] = "NAME",
        ["--label"] = "SET",
        ["--weights"] = "FILE",
        ["--b16-weights"] = "FILE",
        ["--source"] = "WIDTHxHEIGHT",
        ["--video"] = "FILE",
        ["--groundtruth"] = "FILE",
        ["--detections"] = "FILE",
        ["--labelmap"] = "FILE",
        ["--exclusions"] = "FILE",
    };

    public static void Apply(Command command)
    {
        foreach (var option in command.Options.Where(o => o.HelpName is null))
        {
            option.HelpName = ByOption.GetValueOrDefault(option.Name) ?? Numeric(option.ValueType);
        }
        foreach (var child in command.Subcommands)
        {
            Apply(child);
        }
    }

    /// <summary>
    /// <paramref name="help"/> of <paramref name="command"/> with the placeholder of every option
    /// whose value may be left out (arity zero or one, not a flag: <c>--resume [PATH]</c>) in
    /// brackets, <c>--resume [&lt;PATH&gt;]</c>: System.CommandLine shows it as if required, and its
    /// help layout is not public. The two characters come out of the column's padding where it has them.
    /// </summary>
    public static string OptionalValues(Command command, string help)
    {
        var options = command.Options.Concat(command.Parents.OfType<Command>().SelectMany(p => p.Options.Where(o => o.Recursive)));
        foreach (var option in options.Where(o => o.Arity.MinimumNumberOfValues == 0 && o.Arity.MaximumNumberOfValues == 1 && o.ValueType != typeof(bool) && o.HelpName is not null))
        {
            string shown = $"{option.Name} <{option.HelpName}>";
            help = Regex.Replace(help, $"(?m)(?<=^ +){Regex.Escape(shown)}(  )?", m => $"{option.Name} [<{option.HelpName}>]");
        }
        return help;
    }

    private static string? Numeric(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) || t == typeof(long) => "N",
        var t when t == typeof(double) => "X",
        _ => null,
    };
}
