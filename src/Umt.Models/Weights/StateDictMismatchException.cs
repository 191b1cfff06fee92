namespace Umt.Models.Weights;

/// <summary>
/// A checkpoint does not fit a module: every missing, unexpected and wrong-shaped key at once,
/// so one failed load tells the whole story.
/// </summary>
public sealed class StateDictMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception; the message lists every problem.</summary>
    public StateDictMismatchException(
        string moduleName,
        string prefix,
        IReadOnlyList<string> missingKeys,
        IReadOnlyList<string> unexpectedKeys,
        IReadOnlyList<(string Key, long[] Expected, long[] Found)> wrongShapes)
        : base(Describe(moduleName, prefix, missingKeys, unexpectedKeys, wrongShapes))
    {
        MissingKeys = missingKeys;
        UnexpectedKeys = unexpectedKeys;
        WrongShapes = wrongShapes;
    }

    /// <summary>Module keys the checkpoint lacks (without the prefix).</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    /// <summary>Checkpoint keys under the prefix that the module lacks (without the prefix).</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; }

    /// <summary>Keys present in both with different shapes: the module's shape, then the checkpoint's.</summary>
    public IReadOnlyList<(string Key, long[] Expected, long[] Found)> WrongShapes { get; }

    private static string Describe(
        string moduleName,
        string prefix,
        IReadOnlyList<string> missingKeys,
        IReadOnlyList<string> unexpectedKeys,
        IReadOnlyList<(string Key, long[] Expected, long[] Found)> wrongShapes)
    {
        static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";
        var lines = new List<string> { $"The checkpoint does not fit {moduleName} (checkpoint key prefix '{prefix}'):" };
        if (missingKeys.Count > 0)
        {
            lines.Add($"  missing keys ({missingKeys.Count}): {string.Join(", ", missingKeys)}");
        }
        if (unexpectedKeys.Count > 0)
        {
            lines.Add($"  unexpected keys ({unexpectedKeys.Count}): {string.Join(", ", unexpectedKeys)}");
        }
        if (wrongShapes.Count > 0)
        {
            lines.Add($"  wrong shapes ({wrongShapes.Count}): " + string.Join(", ",
                wrongShapes.Select(w => $"{w.Key} module {Shape(w.Expected)} vs checkpoint {Shape(w.Found)}")));
        }
        return string.Join(Environment.NewLine, lines);
    }
}
