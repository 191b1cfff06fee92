using System.Reflection;
using TorchSharp;

namespace Umt.Runner.Engine.Diagnostics;

/// <summary>
/// The libtorch this build carries and what it can do here: the backend chosen at build time
/// (<c>UmtTorchBackend</c>, build/TorchBackend.props, stamped into this assembly), whether
/// libtorch loads, and whether CUDA is usable.
/// </summary>
/// <param name="Backend"><c>cpu</c> or <c>cuda</c>, as built.</param>
/// <param name="LoadError">Why libtorch did not load, or null when it did.</param>
/// <param name="CudaDevices">torch.cuda.device_count() when CUDA is usable, else 0.</param>
/// <param name="IntraOpThreads">torch.get_num_threads(): the libtorch default unless Umt:Run:Threads sets it for a run.</param>
public sealed record TorchBuild(string Backend, string TorchSharpVersion, string? LibTorchVersion, string? LoadError,
    bool CudaAvailable, int CudaDevices, bool CudnnAvailable, int IntraOpThreads, int InterOpThreads)
{
    public const string MetadataKey = "UmtTorchBackend";

    /// <summary>The backend this assembly was built with (<c>cpu</c> when the stamp is missing: the only backend before the switch).</summary>
    public static string BuiltBackend { get; } =
        typeof(TorchBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == MetadataKey)?.Value ?? "cpu";

    public bool Loaded => LoadError is null;

    public static TorchBuild Probe()
    {
        string torchSharp = typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "unknown";
        try
        {
            // The first call loads libtorch; CUDA's libraries load only where this build has them.
            bool cuda = torch.cuda.is_available();
            return new TorchBuild(BuiltBackend, torchSharp, torch.__version__, null, cuda, cuda ? torch.cuda.device_count() : 0,
                cuda && torch.cuda.is_cudnn_available(), torch.get_num_threads(), torch.get_num_interop_threads());
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or InvalidOperationException)
        {
            return new TorchBuild(BuiltBackend, torchSharp, null, (e.InnerException ?? e).Message, false, 0, false, 0, 0);
        }
    }
}
