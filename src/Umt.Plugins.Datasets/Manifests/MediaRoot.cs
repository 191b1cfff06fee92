using System.Diagnostics.CodeAnalysis;

namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// The folder a manifest's media paths are relative to. Every path a manifest names is resolved
/// here and must stay inside it: manifests are downloaded data, and a row such as
/// <c>../../home/me/.ssh/id_rsa</c> must not turn a data loader into a reader of arbitrary files.
/// Absolute paths in a manifest are accepted only when they already lie inside the root, so lists
/// written with absolute paths on the same machine keep working.
/// </summary>
/// <remarks>
/// Two checks. Parsing is lexical (<c>.</c> and <c>..</c> folded by <c>Path.GetFullPath</c>, no disk
/// access, so a 240 000-row list parses fast). Reading follows symbolic links
/// (<see cref="HoldsTarget"/>): a link inside the root that leads out of it (<c>root/x.jpg ->
/// /etc/shadow</c>) would otherwise undo the first check. A data folder on another disk is reached
/// by making the root itself the link (<c>Root = /data/k400 -> /mnt/big/k400</c>: the root's own
/// real path is the one compared), not by links from inside the root to folders outside it.
/// </remarks>
internal sealed class MediaRoot
{
    /// <summary>Longest path that can name a file (Linux's PATH_MAX): a longer row is refused whole, never opened or echoed.</summary>
    public const int MaxPathLength = 4096;

    private readonly string prefix;

    private readonly Lazy<string> realPrefix;

    /// <param name="root">The media folder; relative folders are made absolute against the current directory. It need not exist yet.</param>
    public MediaRoot(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        // "/data/k400/" and "/data/k400" are one root; the file-system root keeps its separator.
        FullPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        prefix = Prefix(FullPath);
        // Resolved on first use: the root need not exist when the manifest is parsed.
        realPrefix = new Lazy<string>(() => Prefix(RealPath.Of(FullPath)));
    }

    /// <summary>The absolute root folder, without a trailing separator (except for the file-system root).</summary>
    public string FullPath { get; }

    /// <summary>
    /// Resolves a manifest path under the root. Fails with a short reason ("empty path",
    /// "path escapes the media root", ...) instead of throwing, so the row becomes a rejection.
    /// </summary>
    public bool TryResolve(string relative, out string fullPath, [NotNullWhen(false)] out string? reason)
    {
        fullPath = string.Empty;
        if (string.IsNullOrWhiteSpace(relative))
        {
            reason = "empty path";
            return false;
        }
        if (relative.Length > MaxPathLength)
        {
            reason = $"path longer than {MaxPathLength} characters";
            return false;
        }

        string candidate;
        try
        {
            // Combine returns an absolute second argument unchanged, so absolute rows are checked like relative ones.
            candidate = Path.GetFullPath(Path.Combine(FullPath, relative));
        }
        catch (Exception e) when (e is ArgumentException or PathTooLongException or NotSupportedException)
        {
            reason = "path is not a valid path";
            return false;
        }

        // GetFullPath drops the trailing separator of "a/.." but keeps that of "./".
        if (candidate == FullPath || candidate == prefix)
        {
            reason = "path names the media root itself";
            return false;
        }
        // Ordinal prefix with the separator: "/data/k400" must not accept "/data/k400-private/x.mp4".
        if (!candidate.StartsWith(prefix, StringComparison.Ordinal))
        {
            reason = "path escapes the media root";
            return false;
        }

        fullPath = candidate;
        reason = null;
        return true;
    }

    /// <summary>
    /// Whether <paramref name="fullPath"/> (a path <see cref="TryResolve"/> accepted) still lies
    /// inside the root once every symbolic link along it is followed; <paramref name="target"/> is
    /// where it leads.
    /// </summary>
    /// <exception cref="IOException">The path runs through a cycle of links.</exception>
    public bool HoldsTarget(string fullPath, out string target)
    {
        target = RealPath.Of(fullPath);
        return target.StartsWith(realPrefix.Value, StringComparison.Ordinal);
    }

    public override string ToString() => FullPath;

    private static string Prefix(string folder) => Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar;
}
