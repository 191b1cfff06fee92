namespace Umt.Plugins.Datasets.Media;

/// <summary>
/// Where Debian's <c>ffmpeg</c> and <c>ffprobe</c> are (data-and-weights.md §1: the CLI, driven
/// from C#, covers every codec Kinetics, WebVid and SSv2 use). Looked up once on <c>PATH</c>; a
/// missing binary is one clear error naming the package, raised when a video dataset is
/// configured, never once per clip.
/// </summary>
public static class FfmpegTools
{
    public const string InstallHint = "Install Debian's ffmpeg package: apt-get install -y --no-install-recommends ffmpeg (./test.sh and ./umt do this when run as root).";

    private static readonly Lazy<string?> FfmpegPath = new(() => Find("ffmpeg"));
    private static readonly Lazy<string?> FfprobePath = new(() => Find("ffprobe"));

    /// <summary>Full path of <c>ffmpeg</c>; throws when it is not installed.</summary>
    public static string Ffmpeg => FfmpegPath.Value ?? throw Missing("ffmpeg");

    /// <summary>Full path of <c>ffprobe</c>; throws when it is not installed.</summary>
    public static string Ffprobe => FfprobePath.Value ?? throw Missing("ffprobe");

    /// <summary>Both tools exist.</summary>
    public static bool Available => FfmpegPath.Value is not null && FfprobePath.Value is not null;

    /// <summary>Throws the install hint when either tool is missing.</summary>
    public static void Require()
    {
        _ = Ffmpeg;
        _ = Ffprobe;
    }

    private static FileNotFoundException Missing(string tool) => new($"'{tool}' was not found on PATH; video datasets decode through it. {InstallHint}");

    private static string? Find(string name)
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
