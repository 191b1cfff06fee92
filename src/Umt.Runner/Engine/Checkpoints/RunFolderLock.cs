using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Engine.Checkpoints;

/// <summary>
/// The one-writer rule of a run folder: an exclusive <c>flock</c> on <c>&lt;run&gt;/.lock</c>, held from
/// before the folder is inspected until the run ends. Two trainers writing one folder prune each
/// other's checkpoints and tear <c>log.jsonl</c>; the second is refused instead, naming the process
/// that holds the lock. The kernel drops the lock when its holder dies (even by SIGKILL), so a lock
/// left by a crashed run is simply taken over; the file itself stays (deleting it would let a third
/// process lock a new file while the second still holds the old one).
/// </summary>
/// <remarks>
/// <c>flock</c> locks are advisory and per open file: they hold between processes on one machine and
/// on file systems that pass them through (local disks, NFS v4, Lustre with <c>flock</c> mounts).
/// Opened with <c>O_CLOEXEC</c>, so ffmpeg and other children never inherit the lock.
/// </remarks>
public sealed class RunFolderLock : IDisposable
{
    public const string FileName = ".lock";

    private const int ReadWrite = 0x2, Create = 0x40, CloseOnExec = 0x80000; // O_RDWR | O_CREAT | O_CLOEXEC (Linux)
    private const int Exclusive = 2, NonBlocking = 4; // LOCK_EX | LOCK_NB
    private const int WouldBlock = 11; // EWOULDBLOCK = EAGAIN

    private int descriptor;

    private RunFolderLock(int descriptor, string path, string? previousHolder)
    {
        this.descriptor = descriptor;
        Path = path;
        PreviousHolder = previousHolder;
    }

    public string Path { get; }

    /// <summary>What the lock file said when this process took it over from a run that had ended (crashed or killed); null for a fresh lock.</summary>
    public string? PreviousHolder { get; }

    /// <summary>Locks <paramref name="runDirectory"/> (created if missing) for this process.</summary>
    /// <param name="configPath">The configuration key that chose the folder, for the refusal.</param>
    /// <exception cref="ConfigurationException">Another live process holds the lock.</exception>
    public static RunFolderLock Acquire(string runDirectory, string configPath)
    {
        Directory.CreateDirectory(runDirectory);
        string path = System.IO.Path.Combine(runDirectory, FileName);
        int fd = Open(path, ReadWrite | Create | CloseOnExec, Convert.ToInt32("644", 8));
        if (fd < 0)
        {
            throw new IOException($"Could not open the run folder's lock file {path} (errno {Marshal.GetLastPInvokeError()}).");
        }
        string holder = ReadAll(fd);
        if (Flock(fd, Exclusive | NonBlocking) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            _ = Close(fd);
            if (errno != WouldBlock)
            {
                throw new IOException($"Could not lock {path} (errno {errno}); the file system may not support flock.");
            }
            throw new ConfigurationException(
                $"{configPath} = {runDirectory} is in use by another umt process ({Describe(holder)}). "
                + $"Wait for it to finish or stop it (it writes a checkpoint on SIGTERM), or choose another {configPath}.");
        }
        var taken = new RunFolderLock(fd, path, holder.Length > 0 ? Describe(holder) : null);
        taken.WriteHolder();
        return taken;
    }

    public void Dispose()
    {
        if (descriptor >= 0)
        {
            _ = Close(descriptor); // closing the last descriptor of the open file releases the flock
            descriptor = -1;
        }
    }

    /// <summary>Records this process in the lock file, for the message a second writer gets.</summary>
    private void WriteHolder()
    {
        string text = string.Create(CultureInfo.InvariantCulture,
            $"pid {Environment.ProcessId} on {Environment.MachineName}, since {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, command: umt {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}");
        byte[] bytes = Encoding.UTF8.GetBytes(text.Length > 500 ? text[..500] + "…" : text);
        _ = Ftruncate(descriptor, 0);
        _ = Pwrite(descriptor, bytes, bytes.Length, 0);
    }

    private static string Describe(string holder) => holder.Length > 0 ? holder : "its process id was not recorded yet";

    private static string ReadAll(int fd)
    {
        var buffer = new byte[1024];
        long read = Pread(fd, buffer, buffer.Length, 0);
        return read > 0 ? Encoding.UTF8.GetString(buffer, 0, (int)read).Trim() : "";
    }

    [DllImport("libc", EntryPoint = "open", CharSet = CharSet.Ansi, SetLastError = true)]
    private static extern int Open(string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static extern int Flock(int fd, int operation);

    [DllImport("libc", EntryPoint = "ftruncate")]
    private static extern int Ftruncate(int fd, long length);

    [DllImport("libc", EntryPoint = "pwrite")]
    private static extern long Pwrite(int fd, byte[] buffer, long count, long offset);

    [DllImport("libc", EntryPoint = "pread")]
    private static extern long Pread(int fd, byte[] buffer, long count, long offset);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
