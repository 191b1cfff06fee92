using System.Runtime.InteropServices;

namespace Umt.Runner.Engine.Diagnostics;

/// <summary>
/// The native libraries the runner loads besides libtorch: Open MPI's <c>libmpi.so.40</c> (what
/// <c>Umt:Distributed:Backend = mpi</c> binds, MpiLibrary) and SkiaSharp's <c>libSkiaSharp.so</c>
/// (images and plots). Each is a short description when it loads, and the reason when not.
/// </summary>
public sealed record NativeLibraries(bool MpiLoads, string Mpi, bool SkiaLoads, string Skia)
{
    public static NativeLibraries Probe()
    {
        var (mpiLoads, mpi) = ProbeMpi();
        var (skiaLoads, skia) = ProbeSkia();
        return new NativeLibraries(mpiLoads, mpi, skiaLoads, skia);
    }

    private static (bool, string) ProbeMpi()
    {
        string name = Environment.GetEnvironmentVariable("UMT_MPI_LIBRARY") is { Length: > 0 } configured ? configured : "libmpi.so.40";
        if (!NativeLibrary.TryLoad(name, out IntPtr handle))
        {
            return (false, $"{name} does not load (Debian: apt-get install openmpi-bin)");
        }
        try
        {
            // The export MpiLibrary reads MPI_COMM_WORLD from: present in Open MPI only.
            return NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _)
                ? (true, $"{name} loads (Open MPI)")
                : (false, $"{name} loads but is not Open MPI (no ompi_mpi_comm_world)");
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    private static (bool, string) ProbeSkia()
    {
        try
        {
            return (true, $"libSkiaSharp {SkiaSharp.SkiaSharpVersion.Native} loads (managed SkiaSharp {typeof(SkiaSharp.SKImage).Assembly.GetName().Version?.ToString(3)})");
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            return (false, $"libSkiaSharp does not load: {(e.InnerException ?? e).Message}");
        }
    }
}
