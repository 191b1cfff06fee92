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
/// The check is lexical: <c>.</c> and <c>..</c> are folded by <c>Path.GetFullPath</c>, but symbolic
/// links are not followed. That is deliberate: data folders are often symlinks to other disks
/// (<c>root/videos -> /mnt/big/k400</c>), and following links would reject every such clip.
/// Whoever can plant a symlink inside the root already controls the data.
/// </remarks>
internal sealed class MediaRoot
{
    private readonly string prefix;

    /// <param name="root">The media folder; relative folders are made absolute against the current directory. It need not exist yet.</param>
    public MediaRoot(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        // "/data/k400/" and "/data/k400" are one root; the file-system root keeps its separator.
        FullPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        prefix = Path.EndsInDirectorySeparator(FullPath) ? FullPath : FullPath + Path.DirectorySeparatorChar;
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

    public override string ToString() => FullPath;
}
