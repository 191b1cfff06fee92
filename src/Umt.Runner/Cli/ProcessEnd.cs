using System.Runtime.InteropServices;

namespace Umt.Runner.Cli;

/// <summary>
/// Ends the process after the managed exit handlers (ffmpeg children killed, logs flushed) and
/// before the C/C++ static destructors. <c>Environment.Exit</c> ends in libc's <c>exit</c>, which
/// tears down libtorch's globals (oneDNN's primitive cache, the OpenMP pool) while other threads
/// may still be inside them: a grace-time exit during the teacher's bf16 matmul died with SIGSEGV
/// (139) instead of 143 (gdb: SIGSEGV in <c>dnnl_primitive_execute</c> on the main thread), and a
/// finalizer freeing a tensor at that moment can deadlock the exit instead. Nothing this process
/// needs runs in those destructors: checkpoints are flushed and fsynced before they are named
/// complete, and MPI is finalized by its owner.
/// </summary>
public static class ProcessEnd
{
    /// <summary>Runs the <c>ProcessExit</c> handlers, then leaves with <paramref name="code"/>; does not return.</summary>
    public static void Exit(int code)
    {
        // Registered now, so it runs after every handler registered before (ProcessExit runs in order).
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Console.Out.Flush();
            Console.Error.Flush();
            ExitImmediately(code);
        };
        Environment.Exit(code);
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitImmediately(int status);
}
