using System.Runtime.InteropServices;

namespace Umt.Runner.Engine.Checkpoints;

/// <summary>
/// fsync for files and folders, so that a rename that publishes a checkpoint is only done once its
/// contents are on disk: after a crash or SIGKILL a reader finds either the old state or the new
/// one, never a torn file.
/// </summary>
internal static class DurableFiles
{
    public static void FlushFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Makes a folder's entries (new names, renames) durable; a no-op where folders cannot be opened.</summary>
    public static void FlushFolder(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY
        int fd = Open(path, ReadOnlyDirectory);
        if (fd >= 0)
        {
            _ = Fsync(fd);
            _ = Close(fd);
        }
    }

    /// <summary>Writes text to a temporary file, flushes it, then renames it over <paramref name="path"/>.</summary>
    public static void ReplaceText(string path, string text)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        FlushFile(temporary);
        File.Move(temporary, path, overwrite: true);
        FlushFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    [DllImport("libc", EntryPoint = "open", CharSet = CharSet.Ansi)]
    private static extern int Open(string path, int flags);

    [DllImport("libc", EntryPoint = "fsync")]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
