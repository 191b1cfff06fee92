using System.CommandLine;
using System.CommandLine.Parsing;

namespace Umt.Runner.Cli;

/// <summary>
/// Lower bounds of counts on the command line, checked by the parser: a zero or negative count
/// is a usage error naming the option (exit 2) rather than a value clamped in silence or one that
/// the run never reaches (<c>--stop-after 0</c> trained the whole schedule).
/// </summary>
internal static class OptionBounds
{
    public static Option<T> AtLeast<T>(this Option<T> option, T minimum) where T : struct, IComparable<T>
    {
        option.Validators.Add(result => Check(result, result.GetValueOrDefault<T>(), minimum));
        return option;
    }

    /// <summary>For an optional count: absent is fine, a given value is bounded.</summary>
    public static Option<T?> AtLeast<T>(this Option<T?> option, T minimum) where T : struct, IComparable<T>
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T?>() is { } value)
            {
                Check(result, value, minimum);
            }
        });
        return option;
    }

    private static void Check<T>(OptionResult result, T value, T minimum) where T : struct, IComparable<T>
    {
        if (value.CompareTo(minimum) < 0)
        {
            result.AddError($"{result.Option.Name} must be at least {minimum}, got {value}.");
        }
    }
}
