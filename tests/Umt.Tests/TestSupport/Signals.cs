using System.Runtime.InteropServices;

namespace Umt.Tests.TestSupport;

/// <summary>POSIX signals to a process, as a scheduler or a user's terminal sends them (.NET's Process only sends SIGKILL).</summary>
public static class Signals
{
    public const int Hangup = 1;
    public const int Terminate = 15;

    /// <returns>0 when sent, −1 when the process no longer exists.</returns>
    public static int Send(int pid, int signal) => kill(pid, signal);

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int kill(int pid, int signal);
}
