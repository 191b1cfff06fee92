using System.Runtime.InteropServices;

namespace Umt.Runner.Engine.Distributed;

/// <summary>
/// The few Open MPI functions the MPI backend calls, bound by P/Invoke to the system's
/// <c>libmpi.so.40</c> (Debian's <c>libopenmpi3</c>; another path via <c>UMT_MPI_LIBRARY</c>).
/// Open MPI's handles (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_SUM</c>, …) are the addresses
/// of exported globals (<c>ompi_mpi_comm_world</c>, …), read with <see cref="NativeLibrary.GetExport"/>;
/// MPICH's are integers, so this binding speaks Open MPI's ABI only and says so when it finds another.
/// The library is opened RTLD_GLOBAL, as mpi4py does: Open MPI's plugins (<c>mca_*.so</c>) resolve
/// symbols of libmpi at load time and fail to load from a library opened RTLD_LOCAL.
/// </summary>
internal static class MpiLibrary
{
    private const string Name = "umt-mpi";
    private const int RtldNow = 0x2;
    private const int RtldGlobal = 0x100;

    /// <summary>Open MPI's <c>MPI_IN_PLACE</c> (<c>(void *) 1</c> in its mpi.h).</summary>
    public static readonly IntPtr InPlace = 1;

    /// <summary><c>MPI_THREAD_SERIALIZED</c>: any thread may call, never two at once (the step's thread, and autograd's backward for the VTC gather).</summary>
    public const int ThreadSerialized = 2;

    private static readonly Lazy<IntPtr> Handle = new(Open);

    public static IntPtr CommWorld => Global("ompi_mpi_comm_world");

    public static IntPtr Global(string symbol) => NativeLibrary.GetExport(Handle.Value, symbol);

    /// <summary>Opens the library (once) and routes this assembly's <c>umt-mpi</c> imports to it.</summary>
    public static void Load() => _ = Handle.Value;

    private static IntPtr Open()
    {
        string? configured = Environment.GetEnvironmentVariable("UMT_MPI_LIBRARY");
        string[] candidates = configured is { Length: > 0 } ? [configured] : ["libmpi.so.40", "libmpi.so"];
        var errors = new List<string>();
        foreach (string candidate in candidates)
        {
            IntPtr handle = dlopen(candidate, RtldNow | RtldGlobal);
            if (handle == IntPtr.Zero)
            {
                errors.Add($"{candidate}: {Marshal.PtrToStringUTF8(dlerror())}");
                continue;
            }
            if (!NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _))
            {
                throw new InvalidOperationException($"{candidate} is not Open MPI (it exports no ompi_mpi_comm_world); Umt:Distributed:Backend = mpi speaks Open MPI's ABI. Point UMT_MPI_LIBRARY at Open MPI's libmpi.so.");
            }
            NativeLibrary.SetDllImportResolver(typeof(MpiLibrary).Assembly, (name, _, _) => name == Name ? handle : IntPtr.Zero);
            return handle;
        }
        throw new InvalidOperationException(
            $"Umt:Distributed:Backend = mpi needs Open MPI's libmpi, which did not load ({string.Join("; ", errors)}). Install it (Debian: apt-get install openmpi-bin) or set UMT_MPI_LIBRARY to its path.");
    }

    [DllImport("libc", CharSet = CharSet.Ansi)]
    private static extern IntPtr dlopen(string file, int mode);

    [DllImport("libc")]
    private static extern IntPtr dlerror();

    [DllImport(Name)]
    public static extern int MPI_Initialized(out int flag);

    [DllImport(Name)]
    public static extern int MPI_Finalized(out int flag);

    [DllImport(Name)]
    public static extern int MPI_Init_thread(IntPtr argc, IntPtr argv, int required, out int provided);

    [DllImport(Name)]
    public static extern int MPI_Finalize();

    [DllImport(Name)]
    public static extern int MPI_Comm_rank(IntPtr comm, out int rank);

    [DllImport(Name)]
    public static extern int MPI_Comm_size(IntPtr comm, out int size);

    [DllImport(Name)]
    public static extern int MPI_Allreduce(IntPtr sendBuffer, ref byte receiveBuffer, int count, IntPtr datatype, IntPtr operation, IntPtr comm);

    [DllImport(Name)]
    public static extern int MPI_Allgather(ref byte sendBuffer, int sendCount, IntPtr sendType, ref byte receiveBuffer, int receiveCount, IntPtr receiveType, IntPtr comm);

    [DllImport(Name)]
    public static extern int MPI_Bcast(ref byte buffer, int count, IntPtr datatype, int root, IntPtr comm);

    [DllImport(Name)]
    public static extern int MPI_Barrier(IntPtr comm);

    [DllImport(Name)]
    public static extern int MPI_Abort(IntPtr comm, int errorCode);

    /// <summary>Throws when an MPI call returned an error code (with Open MPI's default handler, MPI_ERRORS_ARE_FATAL, it aborts before).</summary>
    public static void Check(int code, string call)
    {
        if (code != 0)
        {
            throw new InvalidOperationException($"{call} failed with MPI error code {code}.");
        }
    }
}
