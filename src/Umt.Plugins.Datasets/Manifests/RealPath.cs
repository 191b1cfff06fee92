namespace Umt.Plugins.Datasets.Manifests;

/// <summary>
/// The path a file system lookup really ends at, every symbolic link along it followed (POSIX
/// <c>realpath</c>, which .NET lacks: <see cref="FileSystemInfo.ResolveLinkTarget"/> follows only
/// the last component). Components that do not exist are kept as written.
/// </summary>
internal static class RealPath
{
    /// <summary>Links followed before giving up, as Linux's ELOOP limit: a link cycle must end.</summary>
    private const int MaxLinks = 40;

    /// <exception cref="IOException">The path runs through more than 40 links (a cycle, as a rule).</exception>
    public static string Of(string path)
    {
        string full = Path.GetFullPath(path);
        string top = Path.GetPathRoot(full)!;
        // Components still to walk, the next one first; a link's target is pushed in its place.
        var pending = new Stack<string>(Components(full[top.Length..]).Reverse());
        string resolved = top;
        int links = 0;
        while (pending.TryPop(out string? component))
        {
            if (component == "..")
            {
                // Taken after the links before it are resolved, so ".." leaves the folder a link led to, as the kernel does.
                resolved = Path.GetDirectoryName(resolved) ?? resolved;
                continue;
            }
            string next = Path.Join(resolved, component);
            if (new FileInfo(next).LinkTarget is not { } target)
            {
                resolved = next;
                continue;
            }
            if (++links > MaxLinks)
            {
                throw new IOException($"more than {MaxLinks} symbolic links on the way");
            }
            if (Path.IsPathRooted(target))
            {
                resolved = Path.GetPathRoot(target)!;
            }
            foreach (string part in Components(target[(Path.GetPathRoot(target)?.Length ?? 0)..]).Reverse())
            {
                pending.Push(part);
            }
        }
        return resolved;
    }

    private static IEnumerable<string> Components(string path) =>
        path.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Where(c => c != ".");
}
