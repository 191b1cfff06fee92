namespace Umt.Runner.Engine.Diagnostics;

/// <summary>Free space on the file system that holds (or will hold) the run folder.</summary>
/// <param name="RunFolder">The configured <c>Umt:Run:OutputDir</c>, absolute.</param>
/// <param name="Measured">The folder measured: the run folder or, before it exists, its nearest existing parent.</param>
/// <param name="MountPoint">The file system's mount point.</param>
public sealed record DiskSpace(string RunFolder, string Measured, string MountPoint, long FreeBytes, long TotalBytes)
{
    public static DiskSpace Probe(string runFolder)
    {
        var existing = new DirectoryInfo(runFolder);
        while (!existing.Exists && existing.Parent is not null)
        {
            existing = existing.Parent;
        }
        // On Linux DriveInfo(path) measures the path's file system (statvfs) but names the path
        // itself, so the mount point is the longest mounted prefix.
        var drive = new DriveInfo(existing.FullName);
        string mount = DriveInfo.GetDrives().Select(d => d.Name)
            .Where(m => existing.FullName == m || existing.FullName.StartsWith(m.TrimEnd('/') + "/", StringComparison.Ordinal))
            .MaxBy(m => m.Length) ?? "/";
        return new DiskSpace(runFolder, existing.FullName, mount, drive.AvailableFreeSpace, drive.TotalSize);
    }
}
