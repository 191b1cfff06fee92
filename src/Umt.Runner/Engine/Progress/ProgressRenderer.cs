using Spectre.Console;

namespace Umt.Runner.Engine.Progress;

/// <summary>
/// The one place the long verbs get their progress display from (issue 19): a live Spectre bar when
/// standard error is an interactive terminal, plain periodic lines with counts otherwise (a pipe,
/// a file, a test's captured writer) or when <c>CI</c> is set, so logs stay readable. Progress goes
/// to standard error: standard output keeps a verb's result (and its <c>--json</c>) parseable.
/// </summary>
public sealed class ProgressRenderer(TextWriter error)
{
    /// <summary>No display (the ranks of a data-parallel job other than 0).</summary>
    public static readonly ProgressRenderer Silent = new(TextWriter.Null);

    /// <summary>
    /// Whether a live display can own the writer: only the real standard error, on a terminal that
    /// is not a CI log (CI sets <c>CI</c>) nor a terminal that cannot move the cursor (<c>TERM=dumb</c>).
    /// </summary>
    public bool Live =>
        ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
        && Environment.GetEnvironmentVariable("TERM") != "dumb";

    /// <summary>
    /// The display for loops inside a counted loop (a study's training runs): a terminal holds one
    /// live display at a time, so under a live bar they are not shown; as plain lines they are.
    /// </summary>
    public ProgressRenderer Inner => Live ? Silent : this;

    /// <param name="label">What is counted, as the verb is called (<c>train</c>, <c>extract</c>).</param>
    /// <param name="total">Units the loop will do.</param>
    /// <param name="unit">The unit's name, plural (<c>steps</c>, <c>clips</c>).</param>
    public IProgressCounter Start(string label, long total, string unit) =>
        Live
            ? new LiveProgress(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) }), label, total, unit)
            : new PlainProgress(error, label, total, unit);
}
