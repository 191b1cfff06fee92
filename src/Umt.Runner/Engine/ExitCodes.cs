namespace Umt.Runner.Engine;

/// <summary>Process exit codes of <c>umt</c>.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>A runtime failure (diverged loss, unreadable checkpoint, I/O).</summary>
    public const int RuntimeFailure = 1;

    /// <summary>A configuration or usage error: one readable message, no stack trace.</summary>
    public const int ConfigurationError = 2;

    /// <summary>Interrupted (Ctrl+C) after writing a checkpoint, as shells report SIGINT.</summary>
    public const int Interrupted = 130;
}
