namespace Umt.Runner.Engine.Progress;

/// <summary>
/// One long loop's progress (steps, clips, samples, files): the loop says how far it is, the
/// renderer decides how it is shown. Disposing ends the display.
/// </summary>
public interface IProgressCounter : IDisposable
{
    /// <param name="done">Units completed so far (not an increment), at most the total.</param>
    /// <param name="detail">A short status shown beside the count (a loss, a failure count), or null.</param>
    void Report(long done, string? detail = null);
}
