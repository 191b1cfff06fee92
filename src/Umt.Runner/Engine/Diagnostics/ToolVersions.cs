namespace Umt.Runner.Engine.Diagnostics;

/// <summary>
/// The external programs the runner starts: Debian's <c>ffmpeg</c>/<c>ffprobe</c> (every video
/// dataset decodes through them) and Open MPI's <c>mpirun</c> (data-parallel jobs). Each is its
/// version line, or null when it is not on PATH or does not answer.
/// </summary>
public sealed record ToolVersions(string? Ffmpeg, string? Ffprobe, string? Mpirun)
{
    public static ToolVersions Probe() => new(
        VersionLine(CommandProbe.Lines("ffmpeg", "-version")),
        VersionLine(CommandProbe.Lines("ffprobe", "-version")),
        VersionLine(CommandProbe.Lines("mpirun", "--version")));

    /// <summary>The first line without its copyright tail: "ffmpeg version 5.1.6-0+deb12u1", "mpirun (Open MPI) 4.1.4".</summary>
    public static string? VersionLine(IReadOnlyList<string>? lines)
    {
        if (lines is not { Count: > 0 })
        {
            return null;
        }
        string first = lines[0];
        int copyright = first.IndexOf(" Copyright", StringComparison.Ordinal);
        return copyright > 0 ? first[..copyright] : first;
    }
}
