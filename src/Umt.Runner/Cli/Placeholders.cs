using System.CommandLine;

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

    private static string? Numeric(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) || t == typeof(long) => "N",
        var t when t == typeof(double) => "X",
        _ => null,
    };
}
